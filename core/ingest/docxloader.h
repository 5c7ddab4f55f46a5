#pragma once

#include "ingest/loader.h"

namespace docsight {

class DocxLoader final : public StoredPagesLoader
{
private:
    LoadError read(const QString &path, const LoadOptions &options, QList<PageContent> &pages) override;
    const QLoggingCategory &category() const override;
};

} // namespace docsight
