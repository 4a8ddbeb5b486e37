#include "io/pth_info.h"
#include "common/error.h"
#include "io/pth.h"

#include <sstream>

namespace repalign::pth {

std::string listFile(const std::string& path, const std::string& keyPath)
{
    ValuePtr root = loadFile(path);
    if (keyPath.empty())
        return listing(root);
    try {
        return listing(lookupPath(root, keyPath));
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
}

std::string listStateDict(const std::string& path, const std::string& key)
{
    ValuePtr root = loadFile(path);
    std::map<std::string, torch::Tensor> sd;
    try {
        sd = stateDictFrom(root, key);
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
    std::int64_t values = 0;
    for (const auto& [name, t] : sd)
        values += t.numel();
    std::ostringstream o;
    o << "state dict (" << sd.size() << " tensors, " << values << " values)\n";
    for (const auto& [name, t] : sd) {
        o << "  " << name << ": " << dtypeName(t.scalar_type()) << " " << shapeText(t) << "\n";
    }
    return o.str();
}

} // namespace repalign::pth
