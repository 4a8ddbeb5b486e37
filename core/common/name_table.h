#pragma once
/// @file name_table.h
/// Lookups in a constant table of (enum value, on-disk name) pairs: the one way an enum of the
/// core (RunState, StudyStage) is spelt in files and parsed back.
#include <cstddef>
#include <cstring>
#include <string>
#include <utility>

namespace repalign {

/// The name of @p value in @p table; "" when the table does not hold it.
template <class E, std::size_t N> const char* nameOf(const std::pair<E, const char*> (&table)[N], E value)
{
    for (const auto& [v, name] : table)
        if (v == value)
            return name;
    return "";
}

/// The value @p text names in @p table, into @p value; false (and @p value unchanged) for any
/// other text.
template <class E, std::size_t N> bool valueOf(const std::pair<E, const char*> (&table)[N], const std::string& text, E& value)
{
    for (const auto& [v, name] : table)
        if (text == name) {
            value = v;
            return true;
        }
    return false;
}

} // namespace repalign
