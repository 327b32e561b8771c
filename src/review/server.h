// `cxrvqa review serve`: the review web app, served by the program itself.
//
// Contracts:
// - It binds a loopback address only (127.0.0.0/8, ::1, localhost); any other address is
//   PermissionDenied before anything is bound.
// - Every request must carry the session's random token (`?token=` in the URL, or the
//   X-Review-Token header) and a loopback Host header; any other request gets 403 and no data.
// - The page, its CSS and its JS are compiled into the program (data/web/); the page loads
//   nothing from elsewhere (Content-Security-Policy 'self').
// - A verdict is answered 200 only after it is committed to the review file.
// - One server serves one reviewer: the page shows only that reviewer's verdicts.
// - Report text is never logged; requests are logged at debug level by path only.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "common/status.h"

namespace cxrvqa {

struct ReviewServeOptions {
  std::filesystem::path db;       // made by `cxrvqa review sample`
  std::string reviewer;           // the name verdicts are recorded under
  std::string host = "127.0.0.1";
  int port = 0;                   // 0: any free port
  unsigned threads = 16;          // request threads
};

class ReviewServer {
 public:
  // Opens the review file and binds the address. PermissionDenied for a non-loopback host,
  // InvalidArgument for an empty or too long reviewer name, NotFound / ParseError for a
  // missing or foreign review file, Unavailable when the port cannot be bound.
  static Result<std::unique_ptr<ReviewServer>> Open(const ReviewServeOptions& options);
  ~ReviewServer();
  ReviewServer(const ReviewServer&) = delete;
  ReviewServer& operator=(const ReviewServer&) = delete;

  // http://HOST:PORT/?token=TOKEN (the address to open in a browser).
  const std::string& url() const;
  int port() const;
  // Serves until Stop() is called (from any thread). Returns an error when serving failed.
  Status Run();
  void Stop();
  // Verdicts committed since Open.
  size_t verdicts_recorded() const;

 private:
  struct Impl;
  explicit ReviewServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cxrvqa
