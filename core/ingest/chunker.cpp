#include "ingest/chunker.h"
