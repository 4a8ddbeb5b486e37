#include "run/checkpoint_info.h"

#include "run/checkpoint.h"

#include <algorithm>

namespace repalign {

CheckpointSummary inspectCheckpoint(const std::string& path, const std::string& key)
{
    const Checkpoint ck = loadCheckpoint(path, key);
    CheckpointSummary s;
    s.model = ck.model;
    s.source = ck.source;
    s.epoch = ck.epoch;
    s.tensors = ck.stateDict.size();
    s.bestValAcc = ck.bestValAcc;
    // Readout tensors are stored as "readout.<AREA>.weight".
    for (const auto& [name, tensor] : ck.extraTensors) {
        (void)tensor;
        if (name.rfind("readout.", 0) != 0)
            continue;
        const std::string rest = name.substr(8);
        const std::string area = rest.substr(0, rest.find('.'));
        if (!area.empty() && std::find(s.readouts.begin(), s.readouts.end(), area) == s.readouts.end())
            s.readouts.push_back(area);
    }
    return s;
}

} // namespace repalign
