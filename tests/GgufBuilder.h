#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstring>
#include <vector>

// Builds GGUF files byte by byte for reader tests, independently of the reader.
class GgufBuilder
{
public:
    explicit GgufBuilder(uint32_t version = 3)
    {
        u32(0x46554747u);
        u32(version);
    }

    GgufBuilder &counts(uint64_t tensors, uint64_t kvs)
    {
        u64(tensors);
        u64(kvs);
        return *this;
    }
    GgufBuilder &u8(uint8_t v)
    {
        m_b.append(char(v));
        return *this;
    }
    GgufBuilder &u32(uint32_t v) { return raw(&v, 4); }
    GgufBuilder &u64(uint64_t v) { return raw(&v, 8); }
    GgufBuilder &f32(float v) { return raw(&v, 4); }
    GgufBuilder &str(const QByteArray &s)
    {
        u64(uint64_t(s.size()));
        m_b.append(s);
        return *this;
    }
    GgufBuilder &kvString(const QByteArray &k, const QByteArray &v)
    {
        str(k);
        u32(8);
        return str(v);
    }
    GgufBuilder &kvU32(const QByteArray &k, uint32_t v)
    {
        str(k);
        u32(4);
        return u32(v);
    }
    GgufBuilder &kvF32(const QByteArray &k, float v)
    {
        str(k);
        u32(6);
        return f32(v);
    }
    GgufBuilder &kvStrings(const QByteArray &k, const QStringList &values)
    {
        str(k);
        u32(9); // array
        u32(8); // of strings
        u64(uint64_t(values.size()));
        for (const QString &v : values)
            str(v.toUtf8());
        return *this;
    }
    GgufBuilder &kvBool(const QByteArray &k, bool v)
    {
        str(k);
        u32(7);
        return u8(v ? 1 : 0);
    }
    GgufBuilder &tensor(const QByteArray &name, const std::vector<uint64_t> &ne, uint32_t type, uint64_t offset)
    {
        str(name);
        u32(uint32_t(ne.size()));
        for (uint64_t d : ne)
            u64(d);
        u32(type);
        return u64(offset);
    }
    GgufBuilder &alignTo(int a)
    {
        while (m_b.size() % a)
            m_b.append('\0');
        return *this;
    }
    GgufBuilder &raw(const void *p, int n)
    {
        m_b.append(static_cast<const char *>(p), n);
        return *this;
    }
    GgufBuilder &bytes(const QByteArray &b)
    {
        m_b.append(b);
        return *this;
    }
    const QByteArray &data() const { return m_b; }

private:
    QByteArray m_b;
};
