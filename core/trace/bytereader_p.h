#pragma once

// Little-endian bytes in and out, for Porthole's file formats (traces and pairs of traces).

#include <cstring>
#include <string>

namespace porthole::trace::bytes {

template<typename T>
void append(std::string &out, const T &value)
{
    out.append(reinterpret_cast<const char *>(&value), sizeof(T));
}

class Reader
{
public:
    explicit Reader(const std::string &bytes) : m_bytes(bytes) {}
    template<typename T>
    bool read(T &value)
    {
        if (m_bytes.size() - m_offset < sizeof(T))
            return false;
        std::memcpy(&value, m_bytes.data() + m_offset, sizeof(T));
        m_offset += sizeof(T);
        return true;
    }
    bool readString(std::string &out, std::size_t length)
    {
        if (m_bytes.size() - m_offset < length)
            return false;
        out.assign(m_bytes, m_offset, length);
        m_offset += length;
        return true;
    }
    std::size_t remaining() const { return m_bytes.size() - m_offset; }
    std::size_t offset() const { return m_offset; }

private:
    const std::string &m_bytes;
    std::size_t m_offset = 0;
};

} // namespace porthole::trace::bytes
