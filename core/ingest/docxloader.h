#pragma once

#include "ingest/loader.h"

#include <memory>

namespace docsight {

class DocxLoader final : public Loader
{
public:
    DocxLoader();
    ~DocxLoader() override;
    Q_DISABLE_COPY_MOVE(DocxLoader)

    LoadError open(const QString &path, const LoadOptions &options) override;
    int pageCount() const override;
    PageResult loadPage(int index, const CancelToken &cancel) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace docsight
