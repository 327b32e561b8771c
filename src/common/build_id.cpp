#include "common/build_id.h"

#include <elf.h>
#include <link.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace cxrvqa {

namespace {

size_t align4(size_t n) { return (n + 3) & ~size_t{3}; }

// Looks through the PT_NOTE segments of the first object dl_iterate_phdr reports (the
// main executable) for the NT_GNU_BUILD_ID note.
int find_build_id(struct dl_phdr_info* info, size_t, void* data) {
  auto& id = *static_cast<std::string*>(data);
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = info->dlpi_phdr[i];
    if (segment.p_type != PT_NOTE) continue;
    const auto* at = reinterpret_cast<const unsigned char*>(info->dlpi_addr + segment.p_vaddr);
    const unsigned char* end = at + segment.p_memsz;
    while (at + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) note;
      std::memcpy(&note, at, sizeof(note));
      const unsigned char* name = at + sizeof(note);
      const unsigned char* desc = name + align4(note.n_namesz);
      if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
        char hex[3];
        for (ElfW(Word) k = 0; k < note.n_descsz; ++k) {
          std::snprintf(hex, sizeof(hex), "%02x", desc[k]);
          id += hex;
        }
        return 1;
      }
      at = desc + align4(note.n_descsz);
    }
  }
  return 1;  // only the main executable
}

}  // namespace

std::string program_build_id() {
  std::string id;
  dl_iterate_phdr(find_build_id, &id);
  return id;
}

}  // namespace cxrvqa
