/*
 * A test helper, not part of ratool: reads an invitation file with FreeRDP 2.11's public
 * Remote Assistance API (freerdp/assistance.h) and prints what FreeRDP found, one "key: value"
 * line each, for tools/ratool/tests/interop/interop.py to compare with ratool:
 *
 *   status: <freerdp_assistance_parse_file()'s result: 1 success, -1 failure>
 *   passstub: <the encrypted PassStub, uppercase hex>
 *   address: <host> <port>      (settings->TargetNetAddresses, in order)
 *
 * usage: freerdp-parse FILE PASSWORD
 */
#include <stdio.h>

#include <freerdp/assistance.h>
#include <freerdp/settings.h>
#include <winpr/wlog.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE PASSWORD\n", argv[0]);
        return 2;
    }
    /* FreeRDP logs its parse errors at ERROR level; keep stderr for ours. */
    WLog_SetLogLevel(WLog_GetRoot(), WLOG_OFF);
    rdpAssistanceFile *file = freerdp_assistance_file_new();
    rdpSettings *settings = freerdp_settings_new(0);
    if (file == NULL || settings == NULL) {
        fprintf(stderr, "cannot allocate FreeRDP objects\n");
        return 1;
    }
    int status = freerdp_assistance_parse_file(file, argv[1], argv[2]);
    printf("status: %d\n", status);
    if (status > 0) {
        const char *pass = NULL;
        size_t size = 0;
        if (freerdp_assistance_get_encrypted_pass_stub(file, &pass, &size)) {
            printf("passstub: ");
            for (size_t i = 0; i < size; i++)
                printf("%02X", (unsigned char)pass[i]);
            printf("\n");
        }
        if (freerdp_assistance_populate_settings_from_assistance_file(file, settings)) {
            for (UINT32 i = 0; i < settings->TargetNetAddressCount; i++)
                printf("address: %s %u\n", settings->TargetNetAddresses[i],
                       (unsigned)settings->TargetNetPorts[i]);
        } else {
            printf("populate: failed\n");
        }
    }
    freerdp_settings_free(settings);
    freerdp_assistance_file_free(file);
    return 0;
}
