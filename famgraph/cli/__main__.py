"""``python -m famgraph.cli``: the famgraph command line."""

from famgraph.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
