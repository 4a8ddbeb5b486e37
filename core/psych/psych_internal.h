#pragma once
/// @file psych_internal.h
/// Pieces of core/psych shared by its source files and the tests: the schedule's PRNG (the
/// exported experiment.js implements the same functions), plan.json and /psych writers, CSV.
#include "psych/psych.h"

#include <cstdint>
#include <string>
#include <vector>

namespace repalign {
class H5File;
}

namespace repalign::psych {

/// FNV-1a (32-bit) over the bytes of @p text (UTF-8).
std::uint32_t fnv1a32(const std::string& text);
/// mulberry32, as its usual JavaScript form (Math.imul, >>> 0).
class Mulberry32 {
public:
    explicit Mulberry32(std::uint32_t seed)
        : m_state(seed)
    {
    }
    std::uint32_t next();
    /// floor(next() * n / 2^32): exact in JavaScript doubles for n < 2^21.
    std::uint32_t below(std::uint32_t n);

private:
    std::uint32_t m_state;
};
/// The participant's PRNG seed: fnv1a32("<plan seed>:<participant id>").
std::uint32_t participantSeed(std::uint64_t planSeed, const std::string& participantId);

/// plan.json text for @p plan (the reader is readPlan).
std::string planJson(const PsychPlan& plan, const std::vector<std::pair<std::string, std::string>>& extraStrings = {});

/// Writes /psych into @p f.
void writePsychSummary(H5File& f, const PsychSummary& s);

/// One CSV field, quoted when it holds a comma, quote or line break.
std::string csvField(const std::string& value);
/// Splits CSV text into records (RFC 4180 quoting); throws Error naming @p what and the line
/// of an unterminated quote.
std::vector<std::vector<std::string>> parseCsv(const std::string& text, const std::string& what);

/// Participant ids are stored comma-separated in /psych: letters, digits and "_-.@:+" only.
bool validParticipantId(const std::string& id);

} // namespace repalign::psych
