#include "data/dataset.h"
#include "common/error.h"
#include "common/fsutil.h"

#include <cstring>

namespace repalign {

ImageDataset ImageDataset::subset(const std::vector<std::int64_t>& indices) const
{
    ImageDataset out;
    out.count = static_cast<std::int64_t>(indices.size());
    out.height = height;
    out.width = width;
    out.classes = classes;
    out.source = source;
    out.pixels.resize(indices.size() * imageBytes());
    out.labels.resize(indices.size());
    for (std::size_t i = 0; i < indices.size(); ++i) {
        std::memcpy(out.pixels.data() + i * imageBytes(), image(indices[i]), imageBytes());
        out.labels[i] = labels[static_cast<std::size_t>(indices[i])];
    }
    return out;
}

ImageDataset loadDataset(const std::string& spec, Split split)
{
    DataSpec s = parseDataSpec(spec);
    ImageDataset ds;
    if (s.kind == "cifar10")
        ds = loadCifar10(s.path, split);
    else if (s.kind == "idx")
        ds = loadIdx(s.path, split);
    else if (s.kind == "folder") {
        // A folder spec names one split; a folder with train/ and test/ subfolders names both.
        std::string sub = s.path + "/" + (split == Split::Train ? "train" : "test");
        std::string alt = s.path + "/val";
        if (isDirectory(sub))
            ds = loadImageFolder(sub);
        else if (split == Split::Test && isDirectory(alt))
            ds = loadImageFolder(alt);
        else
            ds = loadImageFolder(s.path);
    } else
        ds = makeShapes(s.count, s.seed, split);
    ds.source = spec;
    return ds;
}

} // namespace repalign
