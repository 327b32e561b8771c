// Which part of a radiology report is read by the extractors.
#pragma once

#include <string>
#include <string_view>

namespace cxrvqa {

// The text to read from `raw_report`:
// - when a FINDINGS section header is present ("FINDINGS:", any case, at the start of a line
//   or after a blank), the text from that header on (findings, impression and what follows);
// - otherwise the longest paragraph (blank-line separated block) that is not a header block
//   (FINAL REPORT, WET READ, EXAMINATION/EXAM, INDICATION, HISTORY, CLINICAL HISTORY,
//   COMPARISON, TECHNIQUE, REASON FOR EXAM, PROCEDURE, NOTIFICATION, RECOMMENDATION(S) ...),
//   with the IMPRESSION section appended when it is not already inside that paragraph;
// - when no such paragraph exists, the whole report.
// CRLF and CR line ends are treated as LF. The result is trimmed; it is "" only for a blank
// report.
std::string select_report_text(std::string_view raw_report);

}  // namespace cxrvqa
