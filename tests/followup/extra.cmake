# test_followup (and the end-to-end followup runs in test_app) talk to the fake
# OpenAI-compatible server of tests/llm, created after this file is read: wire it at the end.
function(cxrvqa_wire_followup_fake_server)
  foreach(target IN ITEMS test_followup test_app)
    if(TARGET ${target} AND TARGET fake_llm_server)
      target_compile_definitions(${target} PRIVATE
        CXRVQA_FAKE_LLM_SERVER="$<TARGET_FILE:fake_llm_server>")
      target_link_libraries(${target} PRIVATE PkgConfig::HTTPLIB)
      add_dependencies(${target} fake_llm_server)
    endif()
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL cxrvqa_wire_followup_fake_server)
