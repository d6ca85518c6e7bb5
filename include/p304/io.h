/*
 * io.h - p304's readers, writers and workflows in one include: the format
 * layer (format.h) and the workflows over it (workflow.h). Code of the
 * format layer includes format.h only (test/layers-check.sh checks the
 * calls); front ends (the server, the command line, the charts) may include
 * this.
 */
#ifndef P304_IO_H
#define P304_IO_H

#include <p304/format.h>
#include <p304/workflow.h>

#endif /* P304_IO_H */
