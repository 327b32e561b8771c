// File reading through zlib: the first byte picks what the rest becomes on disk: the bytes
// as they are, a whole gzip stream of them, the stream cut short, or the stream with one
// byte flipped. Properties: a whole stream reads back exactly (file and lines alike); a
// stream cut short is always an error naming the file, never a shorter text.
#include <zlib.h>

#include "common/file_io.h"
#include "fuzz_input.h"

using namespace cxrvqa;

namespace {

std::string gzip(std::string_view text) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string out(deflateBound(&stream, text.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// The lines LineReader returns for `path`, and whether it ended without an error.
std::string read_lines(const std::filesystem::path& path, bool& ok) {
  std::string joined;
  auto reader = LineReader::Open(path);
  ok = reader.ok();
  if (!ok) return joined;
  std::string line;
  while ((*reader)->Next(line)) joined += line + "\n";
  ok = (*reader)->status().ok();
  return joined;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text = fuzz::as_text(data + 1, size - 1);
  int mode = data[0] % 4;
  if (mode == 0 && size == 1) return 0;
  std::string bytes = mode == 0 ? std::string(text) : gzip(text);
  // Where to cut or flip: anywhere in the stream, chosen from the input.
  size_t where = (static_cast<size_t>(data[0]) * 2654435761u + size * 40503u) % bytes.size();
  if (mode == 2) bytes.resize(2 + where % (bytes.size() - 2));  // cut short, magic bytes kept
  if (mode == 3) bytes[where] = static_cast<char>(bytes[where] ^ (1 + data[size - 1] % 255));
  const auto& path = fuzz::write_input("gz", bytes);
  auto content = read_file(path);
  bool lines_ok = false;
  std::string lines = read_lines(path, lines_ok);
  if (mode == 1) {
    fuzz::require(content.ok() && *content == text, "a whole gzip stream reads back exactly");
    fuzz::require(lines_ok, "a whole gzip stream reads line by line");
  }
  if (mode == 2) {
    fuzz::require(!content.ok(), "a gzip stream cut short is an error");
    fuzz::require(content.status().message().find(path.string()) != std::string::npos, "the error names the file");
    fuzz::require(!lines_ok, "a gzip stream cut short ends line reading with an error");
  }
  return 0;
}
