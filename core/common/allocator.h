#pragma once
// The process's heap settings for tensor work (no LibTorch in this header: the GUI's and the
// CLI's main() call it first thing).

#include <string>

namespace repalign {

/// Keeps freed tensor memory in the process. With glibc's defaults every activation tensor
/// above the dynamic mmap threshold is mmap'ed, faulted in page by page and unmapped again
/// after each batch, and the heap top is trimmed after every large free: on a 2-core Zen 5 the
/// kernel's page zeroing then took 20 of 33 s of an analysis (bench_analyze: forward 8.1 s ->
/// 2.35 s). Sets mallopt(3): one arena (threads that run jobs, the GUI's included, share the
/// main heap, which is the one that grows in place), allocations below 1 GiB from the heap,
/// trimming only above 1 GiB of free top, growth in 512 MiB steps of address space (pages are
/// resident only once touched). Idempotent; does nothing when the user set any glibc malloc
/// tunable (GLIBC_TUNABLES=glibc.malloc.*, MALLOC_*_), or REPALIGN_ALLOCATOR=system. Returns a
/// one-line description of what is in force.
std::string configureAllocator();

/// Hands the heap's free memory back to the kernel (malloc_trim(3)). forkProcess calls it
/// before fork(): a child that reused the parent's retained free pages would pay a
/// copy-on-write copy for each page it touches, where a fresh page is only zeroed (the study
/// worker's warm-up leaves hundreds of MiB free in the heap).
void releaseFreeHeap();

} // namespace repalign
