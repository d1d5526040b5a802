"""The trapscope console: a full-screen prompt_toolkit front end for a served machine.

It shows the guest's serial output, the monitor's output and a status bar
(harts, last stop, gdb, listen address), and takes either monitor commands
(the registry gdb's `monitor` uses, plus continue/halt/step/hart/quit) or,
in guest mode, keystrokes for the guest's UART.

One file per concern, as in ptpython:
    app.py       ConsoleState (the one state object), run_console()
    layout.py    serial_pane(), monitor_pane(), status_bar(), input_line()
    keys.py      key-binding factories; handler docstrings are the key help
    completer.py completion from the monitor registry
    filters.py   mode filters
    scrollback.py bounded pane contents
    status.py    Status (what the status bar shows), stop descriptions
    backend.py   ConsoleBackend (the interface) and LocalBackend
    remote.py    RemoteBackend over the console channel
    service.py   ConsoleService: console commands and events over `Served`
    channel.py   the console channel (JSON lines) that `serve --console-listen` offers
    serving.py   `trapscope serve` with the console, and the channel without it
"""
