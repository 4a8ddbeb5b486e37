#include "behaviour/corruptions_magick.h"
#include "common/error.h"

#include <Magick++.h>

#include <mutex>
#include <string>

namespace repalign::behaviour {

namespace {

void initMagick()
{
    static std::once_flag once;
    std::call_once(once, [] {
        Magick::InitializeMagick(nullptr);
        // Our callers parallelise over images; one ImageMagick thread per call keeps the cores
        // from being oversubscribed (the result does not depend on it).
        Magick::ResourceLimits::thread(1);
    });
}

} // namespace

std::vector<std::uint8_t> magickMotionBlur(
    const std::uint8_t* rgb, int height, int width, double radius, double sigma, double angle)
{
    initMagick();
    std::vector<std::uint8_t> out(static_cast<std::size_t>(height) * width * 3);
    std::vector<std::uint16_t> q(out.size());
    try {
        Magick::Image image(static_cast<std::size_t>(width), static_cast<std::size_t>(height), "RGB", Magick::CharPixel, rgb);
        image.motionBlur(radius, sigma, angle);
        image.write(0, 0, static_cast<std::size_t>(width), static_cast<std::size_t>(height), "RGB", Magick::ShortPixel, q.data());
    } catch (const std::exception& e) {
        throw Error(std::string("motion_blur: ImageMagick failed (") + e.what() + ")");
    }
    // The script gets the pixels back through make_blob() (ImageMagick 6's 8-bit PNG writer)
    // and cv2.imdecode: that writer truncates the 16-bit quantum (q / 257, rounded down), where
    // exporting chars would round; measured against Wand on the fixtures.
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<std::uint8_t>(q[i] / 257);
    return out;
}

} // namespace repalign::behaviour
