"""Start the lawqa web app (chat UI + REST API) on LAWQA_HOST:LAWQA_PORT (default 127.0.0.1:7860).

    python app.py            # same as `lawqa serve`
"""

from assistant.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["serve"]))
