// Hashes: SHA-256 for content identity (caches, manifests), and a fast 64-bit hash for
// seeding per-study random streams.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cxrvqa {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
// Lower-case hex SHA-256 of a file's raw bytes (not decompressed), streamed.
Result<std::string> sha256_file(const std::filesystem::path& path);
// FNV-1a 64-bit hash followed by a SplitMix64 finalizer; stable across platforms and runs.
uint64_t stable_hash64(std::string_view data, uint64_t seed = 0);
// stable_hash64 of the concatenation of `parts`, without building it.
uint64_t stable_hash64_of_parts(std::initializer_list<std::string_view> parts, uint64_t seed = 0);

}  // namespace cxrvqa
