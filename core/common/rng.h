#pragma once
/// @file rng.h
/// Counter-based random numbers: the same (seed, stream, index) always gives the same value,
/// whatever the thread or the order of calls. Data order and augmentation use it so that a
/// resumed run draws exactly what an uninterrupted one would.
#include <cstdint>

namespace repalign {

inline std::uint64_t splitmix64(std::uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

inline std::uint64_t mixSeed(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0)
{
    return splitmix64(splitmix64(splitmix64(a) ^ b) ^ c);
}

/// Small sequential generator seeded from a mixed seed.
class Rng {
public:
    explicit Rng(std::uint64_t seed)
        : m_state(seed)
    {
    }
    std::uint64_t next() { return splitmix64(m_state++); }
    /// Uniform in [0, n).
    std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
    /// Uniform in [0, 1).
    double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

private:
    std::uint64_t m_state;
};

} // namespace repalign
