#include "common/allocator.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

extern char** environ;

namespace repalign {

namespace {
/// The user's own malloc settings win.
bool userTunedMalloc()
{
    if (const char* mode = std::getenv("REPALIGN_ALLOCATOR"); mode && std::strcmp(mode, "system") == 0)
        return true;
    if (const char* t = std::getenv("GLIBC_TUNABLES"); t && std::strstr(t, "glibc.malloc."))
        return true;
    for (char** e = environ; e && *e; ++e)
        if (std::strncmp(*e, "MALLOC_", 7) == 0)
            return true;
    return false;
}

std::string apply()
{
#if defined(__GLIBC__)
    if (userTunedMalloc())
        return "glibc malloc as the environment sets it";
    constexpr int kGiB = 1 << 30;
    const bool ok = mallopt(M_ARENA_MAX, 1) == 1 && mallopt(M_MMAP_THRESHOLD, kGiB) == 1 && mallopt(M_TRIM_THRESHOLD, kGiB) == 1
        && mallopt(M_TOP_PAD, 512 << 20) == 1;
    return ok ? "glibc malloc: one arena, heap below 1 GiB, trim above 1 GiB" : "glibc malloc defaults (mallopt refused)";
#else
    return "the C library's malloc defaults";
#endif
}
} // namespace

std::string configureAllocator()
{
    static std::once_flag once;
    static std::string state;
    std::call_once(once, [] { state = apply(); });
    return state;
}

void releaseFreeHeap()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

} // namespace repalign
