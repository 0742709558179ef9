#pragma once

#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

namespace porthole::trace {

// Writes a file the safe way for every export: the target must be a regular file or not exist (a
// device, a FIFO or a directory behind the name, or behind a symlink, is never replaced); the bytes go
// to a temporary file beside it, and only a complete, flushed write is renamed over the target. Every
// failure (a full disk, no permission) is reported, and the old file is left as it was.
class SafeFile
{
public:
    explicit SafeFile(std::string path);
    ~SafeFile(); // not committed: the temporary file is removed

    bool isOpen() const { return m_error.empty(); }
    std::ostream &stream() { return m_out; }
    void write(std::string_view bytes) { m_out.write(bytes.data(), std::streamsize(bytes.size())); }
    // Empty on success, else what went wrong, naming the file.
    std::string commit();
    const std::string &error() const { return m_error; }

private:
    std::string m_path;
    std::string m_temporary;
    std::ofstream m_out;
    std::string m_error;
    bool m_committed = false;
};

// The whole file at once. Empty on success, else what went wrong.
std::string saveFileSafely(const std::string &path, std::string_view bytes);
// Why this path cannot be written as an export, or empty: not a regular file, or its folder is missing.
std::string checkExportTarget(const std::string &path);

} // namespace porthole::trace
