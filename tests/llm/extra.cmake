# The fake OpenAI-compatible server used by the tests and benchmarks that talk to an LLM.
find_package(Threads REQUIRED)
add_executable(fake_llm_server ${CMAKE_CURRENT_LIST_DIR}/fake_llm_server.cpp)
target_link_libraries(fake_llm_server PRIVATE PkgConfig::HTTPLIB nlohmann_json::nlohmann_json Threads::Threads)

# The programs that start it (through tests/llm/fake_server_process.h). They are created after
# this file is read: wire them at the end (the call runs in the top directory's scope).
function(cxrvqa_wire_fake_llm_server)
  foreach(target IN ITEMS test_llm llm_client_bench test_followup test_app test_pipeline)
    if(TARGET ${target})
      target_compile_definitions(${target} PRIVATE
        CXRVQA_FAKE_LLM_SERVER="$<TARGET_FILE:fake_llm_server>")
      target_link_libraries(${target} PRIVATE PkgConfig::HTTPLIB)
      add_dependencies(${target} fake_llm_server)
    endif()
  endforeach()
  # The resume test runs the cxrvqa program.
  if(TARGET test_llm)
    add_dependencies(test_llm cxrvqa_cli)
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL cxrvqa_wire_fake_llm_server)
