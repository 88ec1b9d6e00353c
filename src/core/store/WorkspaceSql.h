#pragma once

// The statement helpers Workspace.cpp and WorkspaceRecords.cpp share (private to the store).
#include "Workspace.h"

#include <QDateTime>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QVariant>
#include <QVariantList>

namespace strata::workspace_sql {

QString nowText();                         // UTC, ISO 8601 with milliseconds, as every column stores times
QDateTime fromText(const QVariant &v);     // and back
QString jsonText(const QJsonObject &o);    // compact JSON for a TEXT column
QJsonObject jsonObject(const QVariant &v); // and back ({} for anything else)
QVariant nullable(int v);                  // -1 -> SQL NULL
int orMinusOne(const QVariant &v);         // SQL NULL -> -1
// The StoreError (locked, read-only, full, not a workspace, damaged, ...) for an SQLite failure.
StoreError errorFor(const QString &path, const QSqlError &e);
// One statement with positional bindings; throws StoreError on failure.
QSqlQuery sql(const QString &connection, const QString &path, const QString &statement, const QVariantList &binds = {});

} // namespace strata::workspace_sql
