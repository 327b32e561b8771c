// The program's memory allocator settings. Release builds link jemalloc (sanitizer builds keep
// the sanitizers' allocator), and jemalloc reads this string at its first allocation.
//
// thp:always backs the heap with transparent huge pages: the stages hold a whole corpus's
// records in memory, and with 4 KiB pages a run spends more time in page faults than in its
// own work (`make bench`, "whole process" figures). metadata_thp:auto does the same for
// jemalloc's own bookkeeping once it is large. Both are hints: a kernel without huge pages
// ignores them. MALLOC_CONF in the environment still overrides them.
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface.
extern const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:auto";
}
