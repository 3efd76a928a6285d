"""What the agent-memory tests share: a package whose node uses ``ax.agent.memory``, and its flow."""
from __future__ import annotations

from pathlib import Path

from engine_support import write_flow, write_package

CHAT_MANIFEST = """\
name: tests/chat
version: 0.1.0
language: python
description: A node that uses agent memory.
nodes:
  - {name: ChatAgent, input: ChatRequest, output: ChatReply}
"""

CHAT_PROTO = """\
syntax = "proto3";
package tests.chat;
message ChatRequest { string session_id = 1; string text = 2; }
message ChatReply { string text = 1; }
"""

CHAT_NODE = '''\
from gen.messages_pb2 import ChatReply


async def chat_agent(ax, input):
    session = ax.agent.memory.session(input.session_id)
    await session.history.append(role="user", content=input.text)
    recent = await session.history.last(20)
    await ax.agent.memory.write("Exports are available as CSV or JSON spreadsheets.", importance=0.8)
    refused = await ax.agent.memory.write("x" * 40000)
    facts = await ax.agent.memory.search("what file types can I download", limit=3)
    await session.end()
    return ChatReply(text=f"{len(recent)}|{refused!r}|{facts[0].content if facts else '-'}")
'''

CHAT_FLOW = ("mode: unary\nimports: [tests/chat@0.1.0]\nnodes:\n  - id: agent\n"
             "    node: tests/chat@0.1.0:ChatAgent\nedges: []\n")


def add_chat_flow(workspace: Path) -> Path:
    """``packages/chat`` (the ChatAgent node above) and ``flows/chat.flow.yaml`` running it."""
    write_package(workspace, "chat", CHAT_MANIFEST, CHAT_PROTO, {"chat_agent": CHAT_NODE})
    return write_flow(workspace, "chat", CHAT_FLOW)
