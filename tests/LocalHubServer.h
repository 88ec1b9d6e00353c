#pragma once

#include <QHash>
#include <QMutex>
#include <QStringList>
#include <QTcpServer>
#include <QThread>

// A tiny HTTP/1.1 server on 127.0.0.1 with the Hugging Face Hub's URL layout, for downloader tests:
//   GET  /api/models/{repo}/revision/{rev}       -> {"sha": ..., "siblings": [{"rfilename": ...}]}
//   HEAD/GET /{repo}/resolve/{rev}/{file}         -> the file, ETag = sha256, X-Repo-Commit, Range support
// It can drop a connection part-way through a file (once), answers 404 for anything else, and can
// behave like a hostile or broken server for one file (see Mode).
class LocalHubServer : public QObject
{
    Q_OBJECT
public:
    LocalHubServer();
    ~LocalHubServer() override;

    void addFile(const QString &repo, const QString &file, const QByteArray &content);
    void dropFileOnceAfter(const QString &file, qint64 bytes); // the next GET of file stops after bytes
    struct Mode
    {
        QList<QPair<QByteArray, QByteArray>> headers; // replace (or add) these response headers
        QByteArray body;                              // non-empty: sent instead of the file (its ETag stays the file's)
        qint64 claimedLength = -1;                    // >= 0: Content-Length sent (the body may be shorter: truncated)
        QString redirectTo;                           // non-empty: answer 302 with Location: redirectTo + path
        qint64 listedSize = -1;                       // >= 0: the size the listing announces
    };
    void setMode(const QString &file, const Mode &mode);
    void addListingName(const QString &repo, const QString &name); // a name listed but not served
    QStringList authorizations() const;                            // "path token" for every request that carried a Bearer token
    QString endpoint() const;
    QStringList requestLog() const;
    static QString commitHash() { return QStringLiteral("0123456789abcdef0123456789abcdef01234567"); }

private:
    void handle(class QTcpSocket *socket);
    QThread m_thread;
    QObject *m_context = nullptr; // lives in m_thread
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    QHash<QString, QHash<QString, QByteArray>> m_files; // repo -> file -> bytes
    QHash<QString, qint64> m_drop;
    QHash<QString, Mode> m_modes;
    QHash<QString, QStringList> m_extraNames;
    QStringList m_log;
    QStringList m_auth;
};
