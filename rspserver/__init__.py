"""GDB Remote Serial Protocol over asyncio. Knows nothing of the kernel."""
