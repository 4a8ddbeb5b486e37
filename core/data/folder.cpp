#include "common/error.h"
#include "common/fsutil.h"
#include "data/dataset.h"
#include "data/image_file.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace repalign {

ImageDataset loadImageFolder(const std::string& dir)
{
    if (!isDirectory(dir))
        throw Error("image folder " + dir + " does not exist");
    std::vector<std::string> classes;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_directory())
            classes.push_back(e.path().filename().string());
    std::sort(classes.begin(), classes.end());
    if (classes.empty())
        throw Error("image folder " + dir + " has no class subfolders (expected one subfolder per class)");

    ImageDataset ds;
    ds.classes = classes;
    for (std::size_t c = 0; c < classes.size(); ++c) {
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(fs::path(dir) / classes[c])) {
            if (!e.is_regular_file())
                continue;
            std::string ext = e.path().extension().string();
            std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
            if (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp")
                files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            cv::Mat img = readImageFile(f.string(), cv::IMREAD_COLOR);
            if (ds.count == 0) {
                ds.height = img.rows;
                ds.width = img.cols;
            } else if (img.rows != ds.height || img.cols != ds.width) {
                cv::resize(img, img, cv::Size(ds.width, ds.height), 0, 0, cv::INTER_AREA);
            }
            cv::cvtColor(img, img, cv::COLOR_BGR2RGB);
            if (!img.isContinuous())
                img = img.clone();
            ds.pixels.insert(ds.pixels.end(), img.data, img.data + ds.imageBytes());
            ds.labels.push_back(static_cast<std::int64_t>(c));
            ++ds.count;
        }
    }
    if (ds.count == 0)
        throw Error("image folder " + dir + " has no PNG/JPEG images in its class subfolders");
    ds.source = "folder:" + dir;
    return ds;
}

} // namespace repalign
