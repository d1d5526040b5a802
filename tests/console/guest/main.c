/* A line-echoing "shell" on the polled 16550 UART: it prints a banner and a
   prompt, echoes each typed character, and answers a line with "got: LINE".
   It never stops, so the console can continue and halt it; poll_once() is a
   function to break in. */

#define UART ((volatile unsigned char *)0x10000000)
#define LSR_DATA_READY 0x01

volatile unsigned long polls;
static char line[128];
static unsigned long len;

static void put(const char *s)
{
    while (*s)
        UART[0] = (unsigned char)*s++;
}

static void got_char(char c)
{
    if (c == '\r' || c == '\n') {
        line[len] = 0;
        put("\ngot: ");
        put(line);
        put("\n> ");
        len = 0;
    } else if (c >= ' ' && c < 127 && len < sizeof(line) - 1) {
        line[len++] = c;
        UART[0] = (unsigned char)c;
    }
}

__attribute__((noinline)) void poll_once(void)
{
    polls++;
    if (UART[5] & LSR_DATA_READY)
        got_char((char)UART[0]);
}

int main(void)
{
    put("console guest: ready\n> ");
    for (;;)
        poll_once();
}
