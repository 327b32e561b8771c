// Status and Result<T>: how errors cross module boundaries in cxrvqa (no exceptions do).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace cxrvqa {

enum class StatusCode {
  kOk,
  kInvalidArgument,  // the caller passed something unusable (bad option, bad value)
  kNotFound,         // a file, study or key does not exist
  kIoError,          // reading or writing failed
  kParseError,       // input exists but is malformed (CSV, JSON, TOML)
  kUnavailable,      // a server or resource did not answer; retrying may help
  kPermissionDenied, // refused by policy (e.g. a non-loopback host that is not allowed)
  kInternal,         // a bug
};

// A Status is either OK or a code with a human-readable message that names the file, line
// or study concerned. Ignoring one is a compile warning (an error in CI).
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status ParseError(std::string m) { return {StatusCode::kParseError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "OK" or "<code name>: <message>".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status. Ignoring one is a compile warning (an error in CI).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {}      // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(state_); }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

// Runs `run(summary)` (returns Status) on a fresh Summary: the filled summary when it returns
// OK; otherwise its Status, after `on_error` (a callable taking const Summary&, may be empty)
// was given the counts gathered up to the failure, so that a caller can still show them.
template <typename Summary, typename Run, typename OnError>
Result<Summary> RunWithPartialSummary(Run&& run, const OnError& on_error) {
  Summary summary;
  Status status = run(summary);
  if (status.ok()) return summary;
  if (on_error) on_error(summary);
  return status;
}

}  // namespace cxrvqa

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define CXRVQA_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::cxrvqa::Status status_ = (expr);        \
    if (!status_.ok()) return status_;        \
  } while (false)

#define CXRVQA_CONCAT_INNER_(a, b) a##b
#define CXRVQA_CONCAT_(a, b) CXRVQA_CONCAT_INNER_(a, b)

// Evaluates `expr` (a Result<T>); returns its Status from the enclosing function when it is
// not OK, else moves the value into `lhs`, a declaration or an lvalue:
//   CXRVQA_ASSIGN_OR_RETURN(auto records, read_records(path));
#define CXRVQA_ASSIGN_OR_RETURN(lhs, expr) \
  CXRVQA_ASSIGN_OR_RETURN_IMPL_(CXRVQA_CONCAT_(result_, __LINE__), lhs, expr)
#define CXRVQA_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                   \
  if (!result.ok()) return result.status();               \
  lhs = std::move(result).value()
