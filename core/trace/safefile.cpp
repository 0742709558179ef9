#include "trace/safefile.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace porthole::trace {

namespace fs = std::filesystem;

std::string checkExportTarget(const std::string &path)
{
    if (path.empty())
        return "an empty file name";
    std::error_code ec;
    const fs::file_status target = fs::status(path, ec); // follows symlinks: what would be replaced
    if (fs::exists(target)) {
        if (fs::is_directory(target))
            return path + ": is a directory";
        if (!fs::is_regular_file(target))
            return path + ": is not a regular file (a device, a FIFO or a socket, perhaps behind a symlink); Porthole only replaces regular files";
    } else if (fs::is_symlink(fs::symlink_status(path, ec))) {
        return path + ": is a symlink to nothing (or a symlink loop); give the real path";
    }
    const fs::path folder = fs::path(path).parent_path();
    if (!folder.empty() && !fs::is_directory(folder, ec))
        return path + ": the folder " + folder.string() + " does not exist";
    return {};
}

SafeFile::SafeFile(std::string path)
    : m_path(std::move(path))
{
    m_error = checkExportTarget(m_path);
    if (!m_error.empty())
        return;
    std::error_code ec;
    // Beside the target, so the rename stays within one file system; a symlink's target is replaced
    // in place of the link's own name being overwritten.
    const fs::path real = fs::is_symlink(fs::symlink_status(m_path, ec)) ? fs::canonical(m_path, ec) : fs::path(m_path);
    static std::atomic<unsigned> counter{0};
    m_temporary = real.string() + ".porthole-tmp-" + std::to_string(++counter);
    m_path = real.string();
    m_out.open(m_temporary, std::ios::binary | std::ios::trunc);
    if (!m_out)
        m_error = m_path + ": cannot be written: " + std::strerror(errno);
}

SafeFile::~SafeFile()
{
    if (!m_committed && !m_temporary.empty()) {
        m_out.close();
        std::error_code ec;
        fs::remove(m_temporary, ec);
    }
}

std::string SafeFile::commit()
{
    if (!m_error.empty())
        return m_error;
    m_out.flush();
    const bool written = bool(m_out);
    m_out.close();
    if (!written || !m_out) {
        m_error = m_path + ": the write failed (is the disk full?)";
        return m_error;
    }
    std::error_code ec;
    fs::rename(m_temporary, m_path, ec);
    if (ec) {
        m_error = m_path + ": cannot be replaced: " + ec.message();
        return m_error;
    }
    m_committed = true;
    return {};
}

std::string saveFileSafely(const std::string &path, std::string_view bytes)
{
    SafeFile file(path);
    if (!file.isOpen())
        return file.error();
    file.write(bytes);
    return file.commit();
}

} // namespace porthole::trace
