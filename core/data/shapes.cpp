#include "common/error.h"
#include "common/rng.h"
#include "data/dataset.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstring>

namespace repalign {

std::vector<std::string> shapesClassNames()
{
    return {"disc", "square", "triangle", "cross", "ring", "h-bars", "v-bars", "diamond", "star", "crescent"};
}

namespace {

cv::Scalar randomColour(Rng& rng)
{
    return cv::Scalar(double(rng.below(256)), double(rng.below(256)), double(rng.below(256)));
}

void drawBackground(cv::Mat& img, Rng& rng)
{
    cv::Scalar a = randomColour(rng) * 0.6, b = randomColour(rng) * 0.6;
    const int style = static_cast<int>(rng.below(4));
    const double freq = rng.uniform(0.2, 0.9), phase = rng.uniform(0, 6.28);
    for (int y = 0; y < img.rows; ++y)
        for (int x = 0; x < img.cols; ++x) {
            double t = 0;
            switch (style) {
            case 0:
                t = 0;
                break; // flat
            case 1:
                t = y / 31.0;
                break; // gradient
            case 2:
                t = 0.5 + 0.5 * std::sin(freq * (x + y) + phase);
                break; // waves
            default:
                t = ((x / 4 + y / 4) % 2) ? 1.0 : 0.0;
                break; // checks
            }
            cv::Vec3b& px = img.at<cv::Vec3b>(y, x);
            for (int c = 0; c < 3; ++c) {
                double noise = (double(rng.below(21)) - 10.0);
                px[c] = cv::saturate_cast<uchar>(a[c] * (1 - t) + b[c] * t + noise);
            }
        }
}

std::vector<cv::Point> regularPolygon(cv::Point2d c, double r, int n, double rot, double inner = 0)
{
    std::vector<cv::Point> pts;
    const int m = inner > 0 ? 2 * n : n;
    for (int i = 0; i < m; ++i) {
        double rr = (inner > 0 && (i % 2)) ? inner : r;
        double a = rot + 2 * M_PI * i / m;
        pts.emplace_back(cvRound(c.x + rr * std::cos(a)), cvRound(c.y + rr * std::sin(a)));
    }
    return pts;
}

void drawShape(cv::Mat& img, int cls, Rng& rng)
{
    const cv::Scalar col = randomColour(rng) * 0.5 + cv::Scalar(110, 110, 110);
    const double r = rng.uniform(6.0, 11.0);
    const cv::Point2d c(rng.uniform(r, 32 - r), rng.uniform(r, 32 - r));
    const double rot = rng.uniform(-0.4, 0.4);
    const int lt = cv::LINE_AA;
    switch (cls) {
    case 0:
        cv::circle(img, c, cvRound(r), col, cv::FILLED, lt);
        break;
    case 1:
        cv::fillConvexPoly(img, regularPolygon(c, r * 1.2, 4, M_PI / 4 + rot), col, lt);
        break;
    case 2:
        cv::fillConvexPoly(img, regularPolygon(c, r * 1.2, 3, -M_PI / 2 + rot), col, lt);
        break;
    case 3: {
        int t = std::max(2, cvRound(r / 3));
        cv::line(img, c - cv::Point2d(r, 0), c + cv::Point2d(r, 0), col, t, lt);
        cv::line(img, c - cv::Point2d(0, r), c + cv::Point2d(0, r), col, t, lt);
        break;
    }
    case 4:
        cv::circle(img, c, cvRound(r), col, std::max(2, cvRound(r / 4)), lt);
        break;
    case 5:
        for (int k = -1; k <= 1; ++k)
            cv::line(img, c + cv::Point2d(-r, k * r / 1.5), c + cv::Point2d(r, k * r / 1.5), col, 2, lt);
        break;
    case 6:
        for (int k = -1; k <= 1; ++k)
            cv::line(img, c + cv::Point2d(k * r / 1.5, -r), c + cv::Point2d(k * r / 1.5, r), col, 2, lt);
        break;
    case 7:
        cv::fillConvexPoly(img, regularPolygon(c, r * 1.2, 4, rot), col, lt);
        break;
    case 8: {
        std::vector<std::vector<cv::Point>> poly {regularPolygon(c, r * 1.2, 5, -M_PI / 2 + rot, r * 0.5)};
        cv::fillPoly(img, poly, col, lt);
        break;
    }
    default: {
        cv::circle(img, c, cvRound(r), col, cv::FILLED, lt);
        cv::Vec3b bg = img.at<cv::Vec3b>(0, 0);
        cv::circle(img, c + cv::Point2d(r * 0.5, -r * 0.2), cvRound(r * 0.85), cv::Scalar(bg[0], bg[1], bg[2]), cv::FILLED, lt);
        break;
    }
    }
}

} // namespace

ImageDataset makeShapes(std::int64_t count, std::uint64_t seed, Split split)
{
    if (count <= 0 || count > kMaxShapesImages)
        throw Error(
            "shapes: count " + std::to_string(count) + " is out of range (valid: 1.." + std::to_string(kMaxShapesImages) + ")");
    ImageDataset ds;
    ds.count = count;
    ds.height = ds.width = 32;
    ds.classes = shapesClassNames();
    ds.pixels.resize(static_cast<std::size_t>(count) * 3072);
    ds.labels.resize(static_cast<std::size_t>(count));
    const std::uint64_t stream = split == Split::Train ? 1 : 2;
    for (std::int64_t i = 0; i < count; ++i) {
        Rng rng(mixSeed(seed, stream, static_cast<std::uint64_t>(i)));
        const int cls = static_cast<int>(i % 10);
        cv::Mat img(32, 32, CV_8UC3);
        drawBackground(img, rng);
        drawShape(img, cls, rng);
        std::memcpy(ds.pixels.data() + static_cast<std::size_t>(i) * 3072, img.data, 3072);
        ds.labels[static_cast<std::size_t>(i)] = cls;
    }
    ds.source = "shapes:" + std::to_string(count) + ":" + std::to_string(seed);
    return ds;
}

} // namespace repalign
