"""The anchor of `npm run bench:latency`: the stack the product was first specified in.

A discord.py 2.2 bot (Debian's python3-discord, Python 3.11) with the Guilds intent, answering the
same /ping and opening a five-field first modal, against the same fake Discord. Prints one JSON
line {"event": "bot.ready"} when ready, like the other bots.
"""
import json
import os
import sys

import discord
import yarl
from discord import app_commands

api = os.environ["DISCORD_API_URL"].rstrip("/")
# Point discord.py at the fake Discord: its REST, and its gateway (discord.py 2.x connects to a
# built-in gateway address first instead of asking GET /gateway).
discord.http.Route.BASE = f"{api}/v10"
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])

client = discord.Client(intents=discord.Intents(guilds=True))
tree = app_commands.CommandTree(client)


class OrderModal(discord.ui.Modal, title="Order Details - Step 1"):
    order_number = discord.ui.TextInput(label="Order Number", max_length=50)
    start = discord.ui.TextInput(label="Arrival Start", max_length=20)
    end = discord.ui.TextInput(label="Arrival End", max_length=20)
    image = discord.ui.TextInput(label="Image URL", max_length=500)
    product = discord.ui.TextInput(label="Product Name", max_length=100)


@tree.command(name="ping", description="Check that the bot is online")
async def ping(interaction: discord.Interaction):
    await interaction.response.send_message(f"Pong! Latency: {round(client.latency * 1000)}ms")


@tree.command(name="order_form", description="Open an order submission form")
async def order_form(interaction: discord.Interaction, email: str):
    await interaction.response.send_modal(OrderModal())


@client.event
async def on_ready():
    print(json.dumps({"event": "bot.ready", "guilds": len(client.guilds)}), flush=True)


client.run(os.environ["DISCORD_BOT_TOKEN"], log_handler=None if os.environ.get("DPY_QUIET", "1") == "1" else discord.utils.MISSING)
