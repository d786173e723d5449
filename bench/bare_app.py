"""The yardstick for the webhook: a Flask app that only parses the same JSON body and answers.

    gunicorn 'bench.bare_app:app'   (bench/load.sh runs it beside the service, same settings)
"""

from __future__ import annotations

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/v1/moderate")
def moderate() -> object:
    data = request.get_json()
    return jsonify({"id": data.get("id"), "decision": "approve", "score": 0.0, "reasons": []})
