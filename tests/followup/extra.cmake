# test_followup talks to the fake OpenAI-compatible server of tests/llm (created after this
# file is read): wire it at the end.
function(cxrvqa_wire_followup_fake_server)
  if(TARGET test_followup AND TARGET fake_llm_server)
    target_compile_definitions(test_followup PRIVATE
      CXRVQA_FAKE_LLM_SERVER="$<TARGET_FILE:fake_llm_server>")
    target_link_libraries(test_followup PRIVATE PkgConfig::HTTPLIB)
    add_dependencies(test_followup fake_llm_server)
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL cxrvqa_wire_followup_fake_server)
