"""Tools around the compiler: source maps in tracebacks, gradient checks, NaN origins, the graph, the HTML view."""
