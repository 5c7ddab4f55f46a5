#pragma once

#include "ingest/loader.h"

#include <memory>

namespace docsight {

class PdfLoader final : public Loader
{
public:
    PdfLoader();
    ~PdfLoader() override;
    Q_DISABLE_COPY_MOVE(PdfLoader)

    LoadError open(const QString &path, const LoadOptions &options) override;
    int pageCount() const override;
    PageResult loadPage(int index, const CancelToken &cancel) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace docsight
