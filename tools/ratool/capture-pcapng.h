/*
 * Writing pcapng files through Wireshark's wiretap library (libwiretap): the only file of ratool
 * that uses it. One Ethernet interface, microsecond timestamps, a comment per packet when the
 * frame has one, and a section header naming the application and describing the capture. Nothing
 * depends on the clock or the host, so the same frames give the same file.
 *
 * The file is written next to its final name (FILE.partial) and renamed on success: a failed run
 * leaves no half-written capture behind.
 */
#ifndef RATOOL_CAPTURE_PCAPNG_H
#define RATOOL_CAPTURE_PCAPNG_H

#include "ra/capture.h"

#include <glib.h>

typedef struct RatoolPcapng RatoolPcapng;

/*
 * Opens path for writing ("-" is standard output, written directly). section_comment (may be
 * NULL) goes in the section header block; interface_name names the one interface.
 * RA_ERROR_IO when the file cannot be created.
 */
RatoolPcapng *ratool_pcapng_open(const char *path, const char *section_comment,
                                 const char *interface_name, GError **error);

/* A RaCaptureSink (user_data = the writer): writes one frame. RA_ERROR_IO on failure. */
gboolean ratool_pcapng_write(const RaCaptureFrame *frame, gpointer writer, GError **error);

/* Finishes the file and renames it into place. RA_ERROR_IO on failure (the partial file is
 * removed). Frees the writer. */
gboolean ratool_pcapng_close(RatoolPcapng *writer, GError **error);

/* Abandons the file (removes the partial file) and frees the writer. NULL is ignored. */
void ratool_pcapng_abort(RatoolPcapng *writer);

#endif
