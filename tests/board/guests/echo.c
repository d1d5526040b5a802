/*
 * S-mode console echo through the legacy SBI getchar/putchar: prints
 * "ready", echoes what it reads, names a Ctrl-C when one arrives, and
 * powers off on 'q'. tests/board/test_tty.py drives it through a pty.
 */
#include "sbi.h"

void trap(unsigned long cause, unsigned long tval) { (void)cause; (void)tval; }
void secondary(long hartid, long opaque) { (void)hartid; (void)opaque; }

int main(long hartid, long fdt)
{
    (void)hartid; (void)fdt;
    puts_("ready\n");
    for (;;) {
        long c = sbi_legacy(2, 0);
        if (c < 0)
            continue;
        if (c == 3)
            puts_("<ctrl-c>");
        else if (c == 'q')
            break;
        else
            sbi_legacy(1, c);
    }
    puts_("\nbye\n");
    sbi(0x53525354, 0, 0, 0, 0, 0);
    return 0;
}
