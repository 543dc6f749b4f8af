"""The order-file generator lives with the tests (tests/order_files.py); run it from here too:

python bench/generate_orders.py --orders 100000 --customers 30000 -o orders.jsonl
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.order_files import OrderFileGenerator, main

__all__ = ["OrderFileGenerator", "main"]

if __name__ == "__main__":
    main()
