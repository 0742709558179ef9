#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <algorithm>

namespace porthole::scenario {

// Reads one JSON object's fields, collecting every error instead of stopping at the first.
class FieldReader
{
public:
    FieldReader(const QByteArray &text, const QString &source, QStringList &errors)
        : m_text(text), m_source(source), m_errors(errors)
    {
    }

    void error(const QString &path, const QString &message)
    {
        const int line = lineOf(path);
        m_errors << QStringLiteral("%1%2: field '%3': %4")
                        .arg(m_source, line > 0 ? QStringLiteral(":%1").arg(line) : QString(), path, message);
    }

    void rejectUnknown(const QJsonObject &object, const QString &path, const QStringList &known)
    {
        for (const QString &key : object.keys())
            if (!known.contains(key))
                error(join(path, key), QStringLiteral("unknown field; the fields here are: %1").arg(known.join(QStringLiteral(", "))));
    }

    QString string(const QJsonObject &o, const QString &path, const QString &key, const QString &fallback, bool required = false)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined()) {
            if (required)
                error(join(path, key), QStringLiteral("missing; it is required (a string)"));
            return fallback;
        }
        if (!v.isString()) {
            error(join(path, key), QStringLiteral("must be a string"));
            return fallback;
        }
        return v.toString();
    }

    double number(const QJsonObject &o, const QString &path, const QString &key, double fallback, double min, double max,
                  bool integer = true)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return fallback;
        const QString range = QStringLiteral("%1 from %2 to %3").arg(integer ? QStringLiteral("a whole number") : QStringLiteral("a number"))
                                  .arg(min).arg(max);
        if (!v.isDouble()) {
            error(join(path, key), QStringLiteral("must be %1").arg(range));
            return fallback;
        }
        const double d = v.toDouble();
        if (d < min || d > max || (integer && d != double(qint64(d)))) {
            error(join(path, key), QStringLiteral("%1 is out of range; it must be %2").arg(d).arg(range));
            return fallback;
        }
        return d;
    }

    bool boolean(const QJsonObject &o, const QString &path, const QString &key, bool fallback)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return fallback;
        if (!v.isBool()) {
            error(join(path, key), QStringLiteral("must be true or false"));
            return fallback;
        }
        return v.toBool();
    }

    QString choice(const QJsonObject &o, const QString &path, const QString &key, const QString &fallback, const QStringList &allowed)
    {
        const QString value = string(o, path, key, fallback);
        if (!allowed.contains(value)) {
            error(join(path, key), QStringLiteral("'%1' is not allowed; use one of: %2").arg(value, allowed.join(QStringLiteral(", "))));
            return fallback;
        }
        return value;
    }

    QJsonObject object(const QJsonObject &o, const QString &path, const QString &key)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return {};
        if (!v.isObject()) {
            error(join(path, key), QStringLiteral("must be an object { ... }"));
            return {};
        }
        return v.toObject();
    }

    QJsonArray array(const QJsonObject &o, const QString &path, const QString &key)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return {};
        if (!v.isArray()) {
            error(join(path, key), QStringLiteral("must be an array [ ... ]"));
            return {};
        }
        return v.toArray();
    }

    // A list of sources: each a non-empty line of at most 300 characters.
    QStringList sources(const QJsonObject &o, const QString &path)
    {
        QStringList list;
        const QString at = join(path, QStringLiteral("sources"));
        for (const QJsonValue &v : array(o, path, QStringLiteral("sources"))) {
            const QString text = v.toString().trimmed();
            if (!v.isString() || text.isEmpty() || text.size() > 300
                || std::any_of(text.begin(), text.end(), [](QChar c) { return c.category() == QChar::Other_Control; })) {
                error(at, QStringLiteral("each source is one line of text (1 to 300 characters): a URL or \"owner/repo: path\""));
                continue;
            }
            list << text;
        }
        return list;
    }

    static QString join(const QString &path, const QString &key) { return path.isEmpty() ? key : path + QLatin1Char('.') + key; }

private:
    // The line of the field's last key, found in the text: good enough to point an editor at it.
    int lineOf(const QString &path) const
    {
        QString key = path.section(QLatin1Char('.'), -1);
        key = key.section(QLatin1Char('['), 0, 0);
        const qsizetype at = m_text.indexOf(QStringLiteral("\"%1\"").arg(key).toUtf8());
        return at < 0 ? 0 : int(m_text.left(at).count('\n')) + 1;
    }

    const QByteArray &m_text;
    const QString m_source;
    QStringList &m_errors;
};

} // namespace porthole::scenario
