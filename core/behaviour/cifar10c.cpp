#include "behaviour/cifar10c.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "io/npy.h"

#include <algorithm>
#include <cstring>

namespace repalign::behaviour {

Cifar10CFolder scanCifar10C(const std::string& dir)
{
    if (!isDirectory(dir))
        throw Error("CIFAR-10-C folder " + dir + " does not exist (expected <corruption>.npy files and labels.npy)");
    const std::string labelsPath = dir + "/labels.npy";
    if (!fileExists(labelsPath))
        throw Error(dir + ": no labels.npy (a CIFAR-10-C folder holds <corruption>.npy files and labels.npy)");
    const NpyArray l = readNpy(labelsPath);
    if (l.kind != 'i' && l.kind != 'u')
        throw Error(l.describe() + ": labels must be integers");
    if (l.shape.size() != 1 || l.shape[0] == 0 || l.shape[0] % 5 != 0)
        throw Error(l.describe() + ": expected one label per image, 5 severities x N images ([5N])");
    Cifar10CFolder f;
    f.dir = dir;
    for (double v : l.toDoubles())
        f.labels.push_back(static_cast<std::int64_t>(v));
    f.perSeverity = l.shape[0] / 5;
    for (const std::string& name : listDir(dir)) {
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0 && name != "labels.npy")
            f.names.push_back(name.substr(0, name.size() - 4));
    }
    std::sort(f.names.begin(), f.names.end());
    if (f.names.empty())
        throw Error(dir + ": no corruption files (<corruption>.npy next to labels.npy)");
    return f;
}

ImageDataset loadCifar10C(const Cifar10CFolder& folder, const std::string& name)
{
    const std::string path = folder.dir + "/" + name + ".npy";
    if (!fileExists(path))
        throw Error(folder.dir + ": no corruption " + name + " (" + path
            + " does not exist; present: " + joinChoices(folder.names) + ")");
    NpyArray a = readNpy(path);
    if (a.kind != 'u' || a.itemSize != 1)
        throw Error(a.describe() + ": CIFAR-10-C images are uint8");
    if (a.shape.size() != 4 || a.shape[3] != 3)
        throw Error(a.describe() + ": expected [5N, H, W, 3] RGB images");
    if (a.shape[0] != static_cast<std::int64_t>(folder.labels.size()))
        throw Error(path + " has " + std::to_string(a.shape[0]) + " images but labels.npy has "
            + std::to_string(folder.labels.size()) + " labels");
    ImageDataset d;
    d.count = a.shape[0];
    d.height = static_cast<int>(a.shape[1]);
    d.width = static_cast<int>(a.shape[2]);
    d.pixels.resize(a.data.size());
    std::memcpy(d.pixels.data(), a.data.data(), a.data.size());
    d.labels = folder.labels;
    d.source = path;
    return d;
}

} // namespace repalign::behaviour
