// libFuzzer target for the torch.save reader (zip and legacy containers, the unpickler, the
// listing and stateDictFrom). Built only with -DREPALIGN_FUZZ=ON and clang (tests/fuzz).
// Every tensor the reader returns is summed, so a view outside its storage shows up as an
// AddressSanitizer report rather than passing silently.
#include "common/error.h"
#include "io/pth.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

void touchTensors(const repalign::pth::ValuePtr& root)
{
    std::vector<const repalign::pth::Value*> todo {root.get()};
    std::vector<const repalign::pth::Value*> seen;
    while (!todo.empty() && seen.size() < 100000) {
        const auto* v = todo.back();
        todo.pop_back();
        seen.push_back(v);
        if (v->tensor.defined() && v->tensor.numel() > 0)
            (void)v->tensor.sum().item<double>();
        for (const auto& i : v->items)
            todo.push_back(i.get());
        for (const auto& [k, c] : v->entries) {
            todo.push_back(k.get());
            todo.push_back(c.get());
        }
        if (v->state)
            todo.push_back(v->state.get());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const bool once = [] {
        torch::set_num_threads(1);
        return true;
    }();
    (void)once;
    try {
        auto v = repalign::pth::loadBytes(data, size, "fuzz-input");
        (void)repalign::pth::listing(v);
        touchTensors(v);
        try {
            for (const auto& [name, t] : repalign::pth::stateDictFrom(v))
                if (t.numel() > 0)
                    (void)t.sum().item<double>();
        } catch (const repalign::Error&) {
        }
    } catch (const repalign::Error&) {
    }
    return 0;
}
