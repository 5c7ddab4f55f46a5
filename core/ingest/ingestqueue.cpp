#include "ingest/ingestqueue.h"
