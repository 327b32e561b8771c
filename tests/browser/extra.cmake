# Browser tests (node's test runner + puppeteer-core driving Debian's chromium headless).
# The npm packages are installed by scripts/browser-test-deps.sh (npm ci, no browser download)
# into the build's tests/browser folder, as a ctest fixture that the browser tests require:
# when npm or chromium is missing, the tests fail rather than skip.
set(CXRVQA_BROWSER_DIR ${CMAKE_CURRENT_BINARY_DIR}/browser)
foreach(file IN ITEMS package.json package-lock.json review.test.mjs)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/${file} ${CXRVQA_BROWSER_DIR}/${file} COPYONLY)
endforeach()
set(CXRVQA_TEST_OUTPUT ${CMAKE_BINARY_DIR}/test-output)

add_test(NAME browser_npm_ci
         COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/browser-test-deps.sh ${CXRVQA_BROWSER_DIR})
set_tests_properties(browser_npm_ci PROPERTIES FIXTURES_SETUP browser_node_modules TIMEOUT 600)

find_program(CXRVQA_NODE node)
if(NOT CXRVQA_NODE)
  set(CXRVQA_NODE node)  # the test then fails, naming what is missing
endif()
add_test(NAME browser_review
         COMMAND ${CXRVQA_NODE} --test ${CXRVQA_BROWSER_DIR}/review.test.mjs
         WORKING_DIRECTORY ${CXRVQA_BROWSER_DIR})
set_tests_properties(browser_review PROPERTIES
  FIXTURES_REQUIRED browser_node_modules
  TIMEOUT 600
  ENVIRONMENT "CXRVQA_BINARY=$<TARGET_FILE:cxrvqa_cli>;CXRVQA_SOURCE_DIR=${CMAKE_SOURCE_DIR};CXRVQA_TEST_OUTPUT=${CXRVQA_TEST_OUTPUT}/browser;CXRVQA_TEST_TMP=${CMAKE_BINARY_DIR}/test-tmp")
