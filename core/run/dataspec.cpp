#include "run/dataspec.h"

#include "common/error.h"

#include <stdexcept>

namespace repalign {

Split parseSplit(const std::string& text)
{
    if (text == "train")
        return Split::Train;
    if (text == "test" || text == "val")
        return Split::Test;
    throw Error("unknown split '" + text + "' (valid: train, test, val)");
}

const char* splitName(Split split)
{
    return split == Split::Train ? "train" : "test";
}

std::vector<std::string> dataSpecKinds()
{
    return {"cifar10:DIR", "idx:DIR", "folder:DIR", "shapes:N[:SEED]"};
}

DataSpec parseDataSpec(const std::string& spec)
{
    DataSpec out;
    out.text = spec;
    auto colon = spec.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 >= spec.size())
        throw Error("invalid data spec '" + spec + "' (valid: " + joinChoices(dataSpecKinds()) + ")");
    out.kind = spec.substr(0, colon);
    std::string rest = spec.substr(colon + 1);
    if (out.kind == "cifar10" || out.kind == "idx" || out.kind == "folder") {
        out.path = rest;
        return out;
    }
    if (out.kind == "shapes") {
        auto c2 = rest.find(':');
        std::string n = rest.substr(0, c2);
        try {
            std::size_t used = 0;
            out.count = std::stoll(n, &used);
            if (used != n.size() || out.count <= 0)
                throw std::invalid_argument(n);
            if (out.count > kMaxShapesImages)
                throw Error("invalid data spec '" + spec + "': shapes count " + n + " is out of range (valid: 1.."
                    + std::to_string(kMaxShapesImages) + ", 3 KB each)");
            if (c2 != std::string::npos) {
                std::string s = rest.substr(c2 + 1);
                out.seed = std::stoull(s, &used);
                if (used != s.size())
                    throw std::invalid_argument(s);
            }
        } catch (const Error&) {
            throw;
        } catch (const std::exception&) {
            throw Error("invalid data spec '" + spec
                + "': shapes needs a positive count and an optional integer seed, e.g. shapes:2000:1");
        }
        return out;
    }
    throw Error("unknown data kind '" + out.kind + "' in '" + spec + "' (valid: " + joinChoices(dataSpecKinds()) + ")");
}

} // namespace repalign
