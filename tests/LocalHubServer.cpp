#include "LocalHubServer.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaObject>
#include <QSemaphore>
#include <QTcpSocket>

LocalHubServer::LocalHubServer()
{
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    m_thread.start();
    QSemaphore ready;
    QMetaObject::invokeMethod(
        m_context,
        [this, &ready] {
            m_server = new QTcpServer;
            m_server->listen(QHostAddress::LocalHost, 0);
            m_port = m_server->serverPort();
            QObject::connect(m_server, &QTcpServer::newConnection, m_server, [this] {
                while (QTcpSocket *s = m_server->nextPendingConnection()) {
                    auto *buffer = new QByteArray;
                    QObject::connect(s, &QTcpSocket::readyRead, s, [this, s, buffer] {
                        buffer->append(s->readAll());
                        if (buffer->contains("\r\n\r\n")) {
                            s->setProperty("request", *buffer);
                            handle(s);
                        }
                    });
                    QObject::connect(s, &QTcpSocket::disconnected, s, [s, buffer] {
                        delete buffer;
                        s->deleteLater();
                    });
                }
            });
            ready.release();
        },
        Qt::QueuedConnection);
    ready.acquire();
}

LocalHubServer::~LocalHubServer()
{
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            delete m_server;
            delete m_context;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void LocalHubServer::addFile(const QString &repo, const QString &file, const QByteArray &content)
{
    QMutexLocker lock(&m_mutex);
    m_files[repo][file] = content;
}

void LocalHubServer::dropFileOnceAfter(const QString &file, qint64 bytes)
{
    QMutexLocker lock(&m_mutex);
    m_drop[file] = bytes;
}

void LocalHubServer::setMode(const QString &file, const Mode &mode)
{
    QMutexLocker lock(&m_mutex);
    m_modes[file] = mode;
}

void LocalHubServer::addListingName(const QString &repo, const QString &name)
{
    QMutexLocker lock(&m_mutex);
    m_extraNames[repo] << name;
}

QStringList LocalHubServer::authorizations() const
{
    QMutexLocker lock(&m_mutex);
    return m_auth;
}

QString LocalHubServer::endpoint() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_port);
}

QStringList LocalHubServer::requestLog() const
{
    QMutexLocker lock(&m_mutex);
    return m_log;
}

void LocalHubServer::handle(QTcpSocket *s)
{
    const QByteArray req = s->property("request").toByteArray();
    const QList<QByteArray> lines = req.split('\n');
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    const QByteArray method = first.value(0);
    const QString path = QString::fromUtf8(QByteArray::fromPercentEncoding(first.value(1)));
    qint64 rangeStart = -1;
    QByteArray authorization;
    for (const QByteArray &l : lines) {
        const QByteArray t = l.trimmed();
        if (t.toLower().startsWith("range: bytes="))
            rangeStart = t.mid(13).split('-').value(0).toLongLong();
        if (t.toLower().startsWith("authorization: bearer "))
            authorization = t.mid(22);
    }
    auto reply = [s](const QByteArray &status, const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &body, qint64 contentLength) {
        QByteArray out = "HTTP/1.1 " + status + "\r\nConnection: close\r\nContent-Length: " + QByteArray::number(contentLength) + "\r\n";
        for (const auto &h : headers)
            out += h.first + ": " + h.second + "\r\n";
        out += "\r\n" + body;
        s->write(out);
        s->flush();
        s->disconnectFromHost();
    };
    QMutexLocker lock(&m_mutex);
    m_log << QString::fromLatin1(method) + QLatin1Char(' ') + path + (rangeStart >= 0 ? QStringLiteral(" range=%1").arg(rangeStart) : QString());
    if (!authorization.isEmpty())
        m_auth << path + QLatin1Char(' ') + QString::fromLatin1(authorization);

    if (path.startsWith(QLatin1String("/api/models/"))) {
        const QString rest = path.mid(12);
        const QString repo = rest.section(QStringLiteral("/revision/"), 0, 0);
        if (!m_files.contains(repo)) {
            reply("404 Not Found", {}, "{}", 2);
            return;
        }
        QJsonArray sib;
        for (auto it = m_files[repo].cbegin(); it != m_files[repo].cend(); ++it) {
            const qint64 listed = m_modes.value(it.key()).listedSize;
            sib.append(QJsonObject{{QStringLiteral("rfilename"), it.key()}, {QStringLiteral("size"), double(listed >= 0 ? listed : it.value().size())}});
        }
        for (const QString &f : m_extraNames.value(repo))
            sib.append(QJsonObject{{QStringLiteral("rfilename"), f}});
        const QByteArray body =
            QJsonDocument(QJsonObject{{QStringLiteral("sha"), commitHash()}, {QStringLiteral("siblings"), sib}}).toJson(QJsonDocument::Compact);
        reply("200 OK", {{"Content-Type", "application/json"}}, body, body.size());
        return;
    }
    const int resolve = int(path.indexOf(QLatin1String("/resolve/")));
    const QString repo = resolve > 0 ? path.mid(1, resolve - 1) : QString();
    const QString afterRev = resolve > 0 ? path.mid(resolve + 9).section(QLatin1Char('/'), 1) : QString();
    if (resolve < 0 || !m_files.contains(repo) || !m_files[repo].contains(afterRev)) {
        reply("404 Not Found", {{"X-Error-Code", "EntryNotFound"}}, "Entry not found", 15);
        return;
    }
    const Mode mode = m_modes.value(afterRev);
    if (!mode.redirectTo.isEmpty()) {
        reply("302 Found", {{"Location", mode.redirectTo.toUtf8() + first.value(1)}, {"X-Repo-Commit", commitHash().toLatin1()}}, {}, 0);
        return;
    }
    const QByteArray stored = m_files[repo][afterRev];
    const QByteArray etag = '"' + QCryptographicHash::hash(stored, QCryptographicHash::Sha256).toHex() + '"';
    const QByteArray content = mode.body.isEmpty() ? stored : mode.body;
    QList<QPair<QByteArray, QByteArray>> headers{{"ETag", etag}, {"X-Repo-Commit", commitHash().toLatin1()}, {"Accept-Ranges", "bytes"}};
    for (const auto &h : mode.headers) {
        bool replaced = false;
        for (auto &existing : headers)
            if (existing.first == h.first)
                existing.second = h.second, replaced = true;
        if (!replaced)
            headers.append(h);
    }
    if (mode.claimedLength >= 0) { // a Content-Length that the body does not keep to
        QByteArray out = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: " + QByteArray::number(mode.claimedLength) + "\r\n";
        for (const auto &h : headers)
            out += h.first + ": " + h.second + "\r\n";
        s->write(out + "\r\n" + (method == "HEAD" ? QByteArray() : content));
        s->flush();
        s->disconnectFromHost();
        return;
    }
    if (method == "HEAD") {
        QByteArray out = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: " + QByteArray::number(content.size()) + "\r\n";
        for (const auto &h : headers)
            out += h.first + ": " + h.second + "\r\n";
        s->write(out + "\r\n");
        s->flush();
        s->disconnectFromHost();
        return;
    }
    QByteArray body = content;
    QByteArray status = "200 OK";
    if (rangeStart > 0 && rangeStart < content.size()) {
        body = content.mid(rangeStart);
        status = "206 Partial Content";
        headers.append({"Content-Range",
                        "bytes " + QByteArray::number(rangeStart) + '-' + QByteArray::number(content.size() - 1) + '/' + QByteArray::number(content.size())});
    }
    if (m_drop.contains(afterRev)) {
        const qint64 keep = m_drop.take(afterRev);
        QByteArray out = "HTTP/1.1 " + status + "\r\nConnection: close\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
        for (const auto &h : headers)
            out += h.first + ": " + h.second + "\r\n";
        s->write(out + "\r\n" + body.left(keep));
        s->flush();
        s->abort(); // the connection drops mid-body
        return;
    }
    reply(status, headers, body, body.size());
}
