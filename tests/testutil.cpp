#include "testutil.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace testutil {

namespace {
std::vector<std::string>& created()
{
    static std::vector<std::string> dirs;
    return dirs;
}
void removeCreated()
{
    if (std::getenv("REPALIGN_KEEP_TEST_DIRS"))
        return;
    for (const auto& d : created()) {
        std::error_code ec;
        fs::remove_all(d, ec);
    }
}
} // namespace

std::string tempDir(const std::string& tag)
{
    static int counter = 0;
    if (counter == 0) {
        created(); // construct the list before registering, so it is destroyed after removeCreated runs
        std::atexit(removeCreated);
    }
    fs::path p
        = fs::temp_directory_path() / ("repalign-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(p);
    fs::create_directories(p);
    created().push_back(p.string());
    return p.string();
}

int run(const std::string& command, std::string* output)
{
    std::string cmd = command + " 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (!pipe)
        return -1;
    std::array<char, 4096> buf {};
    std::string out;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
        out.append(buf.data(), n);
    int status = ::pclose(pipe);
    if (output)
        *output = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void writeText(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

} // namespace testutil
