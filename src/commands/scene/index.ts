import {
  ActionRowBuilder,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from "discord.js";
import { namesOf } from "../../chat/addressing.js";
import { DEFAULT_SCENE_TURNS, MAX_SCENE_TOPIC_CHARS, MAX_SCENE_TURNS, type SceneResult } from "../../chat/scene.js";
import { SceneCastError } from "../../chat/turn-taking.js";
import type { BotContext } from "../../discord/context.js";
import { conversationOf, placeOf } from "../../discord/conversation.js";
import { SAFE_MENTIONS } from "../../discord/mentions.js";
import { discordScene, runScene } from "../../discord/scenes.js";
import type { Persona } from "../../personas/persona.js";
import { notAdmin, SCENE_TEXTS } from "../../texts.js";
import { type AdminCall, adminOnly, mayAdminister } from "../preconditions.js";
import { commandOf, type Subcommand } from "../types.js";

const COMMAND = "scene";
/** The Stop button's custom id: `scene:stop:<the scene's id>`. */
const STOP = "stop";
/** The `cast` option is at most this long. */
const MAX_CAST_OPTION_CHARS = 200;

/** The personas a `cast` option names (ids, names or aliases, separated by commas or spaces), and the words that named nobody. */
export function pickCast(option: string, cast: readonly Persona[]): { chosen: Persona[]; unknown: string[] } {
  const matches = (word: string) =>
    cast.find(
      (p) =>
        p.id.toLowerCase() === word.toLowerCase() || namesOf(p).some((n) => n.toLowerCase() === word.toLowerCase()),
    );
  const chosen: Persona[] = [];
  const unknown: string[] = [];
  for (const part of option
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    // "Captain Quill" is one name; "wren quill" is two.
    const words = matches(part) ? [part] : part.split(/\s+/);
    for (const word of words) {
      const persona = matches(word);
      if (!persona) unknown.push(word);
      else if (!chosen.includes(persona)) chosen.push(persona);
    }
  }
  return { chosen, unknown };
}

function stopButton(sceneId: string): ActionRowBuilder<ButtonBuilder> {
  const stop = new ButtonBuilder()
    .setCustomId(`${COMMAND}:${STOP}:${sceneId}`)
    .setLabel(SCENE_TEXTS.stopLabel)
    .setStyle(ButtonStyle.Danger);
  return new ActionRowBuilder<ButtonBuilder>().addComponents(stop);
}

async function refuse(interaction: ChatInputCommandInteraction | ButtonInteraction, content: string): Promise<void> {
  await interaction.reply({ content, flags: MessageFlags.Ephemeral });
}

/** The scene's cast: the channel's whole cast, or the members the `cast` option names; undefined after refusing. */
async function sceneCast(call: AdminCall): Promise<Persona[] | undefined> {
  const { interaction, ctx } = call;
  const { members } = ctx.core.engine.cast(conversationOf(interaction.channel!));
  const option = interaction.options.getString("cast");
  if (!option) return [...members];
  const { chosen, unknown } = pickCast(option, members);
  if (unknown.length > 0) {
    await refuse(interaction, SCENE_TEXTS.notInCast(unknown));
    return undefined;
  }
  return chosen;
}

/** Shows how the scene ended on its status message, without the Stop button. */
function showEnd(interaction: ChatInputCommandInteraction, ctx: BotContext, topic: string) {
  return async (result: SceneResult) => {
    try {
      await interaction.editReply({
        content: SCENE_TEXTS.ended(topic, result.speakers.length, result.end),
        components: [],
        allowedMentions: SAFE_MENTIONS,
      });
    } catch (error) {
      ctx.core.log.warn(
        { err: error, channel: interaction.channelId },
        "could not show the scene's end on its status message",
      );
    }
  };
}

const start: Subcommand = {
  name: "start",
  define: (sub) =>
    sub
      .setDescription("Let the cast here talk among themselves (admins)")
      .addStringOption((o) =>
        o
          .setName("topic")
          .setDescription("What the scene is about")
          .setRequired(true)
          .setMaxLength(MAX_SCENE_TOPIC_CHARS),
      )
      .addIntegerOption((o) =>
        o
          .setName("turns")
          .setDescription(`Lines to run (default ${DEFAULT_SCENE_TURNS})`)
          .setMinValue(1)
          .setMaxValue(MAX_SCENE_TURNS),
      )
      .addStringOption((o) =>
        o
          .setName("cast")
          .setDescription('Who takes part, e.g. "wren, quill" (default: the whole cast)')
          .setMaxLength(MAX_CAST_OPTION_CHARS),
      ),
  // Every line is a model call, so only admins start scenes.
  run: adminOnly(async (call) => {
    const { interaction, ctx, guildId } = call;
    const channel = interaction.channel;
    if (!channel?.isSendable() || channel.isDMBased()) return refuse(interaction, SCENE_TEXTS.notHere);
    if (!ctx.moderation.policy.scenesAllowed(guildId)) return refuse(interaction, SCENE_TEXTS.off);
    // A scene hears everything said in its channel: not in one where the bot keeps quiet.
    const parentId = channel.isThread() ? channel.parentId : null;
    if (ctx.moderation.policy.channelMode(channel.id, parentId).mode === "off")
      return refuse(interaction, SCENE_TEXTS.channelOff);
    const cast = await sceneCast(call);
    if (!cast) return;
    const topic = interaction.options.getString("topic", true).slice(0, MAX_SCENE_TOPIC_CHARS);
    const turns = Math.min(
      MAX_SCENE_TURNS,
      Math.max(1, interaction.options.getInteger("turns") ?? DEFAULT_SCENE_TURNS),
    );
    const spec = {
      id: interaction.id,
      conversation: conversationOf(channel),
      place: placeOf(channel),
      topic,
      cast,
      turns,
    };
    let scene: ReturnType<typeof discordScene>;
    try {
      scene = discordScene(ctx, spec, { guildId, userId: interaction.user.id, channel });
    } catch (error) {
      if (error instanceof SceneCastError) return refuse(interaction, SCENE_TEXTS.castTooSmall);
      throw error;
    }
    if (!ctx.scenes.begin(scene)) return refuse(interaction, SCENE_TEXTS.alreadyRunning);
    const names = cast.map((p) => p.name);
    ctx.moderation.audit.record({
      guildId,
      channelId: channel.id,
      actorId: interaction.user.id,
      action: "scene.start",
      details: { topic, turns, cast: cast.map((p) => p.id) },
    });
    try {
      await interaction.reply({
        content: SCENE_TEXTS.status(topic, names, turns),
        components: [stopButton(interaction.id)],
        allowedMentions: SAFE_MENTIONS,
      });
    } catch (error) {
      ctx.scenes.end(scene);
      throw error;
    }
    void runScene(ctx, scene, showEnd(interaction, ctx, topic));
  }),
};

/** Stops the scene running in the interaction's channel (the one `sceneId` names, when given); false when there is none. */
function stopScene(
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  ctx: BotContext,
  sceneId?: string,
): boolean {
  const scene = interaction.channel ? ctx.scenes.get(conversationOf(interaction.channel).key) : undefined;
  if (!scene || scene.closed || (sceneId !== undefined && scene.spec.id !== sceneId)) return false;
  scene.stop();
  ctx.moderation.audit.record({
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    actorId: interaction.user.id,
    action: "scene.stop",
    details: { topic: scene.spec.topic },
  });
  return true;
}

const stop: Subcommand = {
  name: "stop",
  define: (sub) => sub.setDescription("Stop the scene running here at once (admins)"),
  run: adminOnly(async ({ interaction, ctx }) =>
    refuse(interaction, stopScene(interaction, ctx) ? SCENE_TEXTS.stopped : SCENE_TEXTS.noScene),
  ),
};

/** The Stop button: admins only, checked on the click; the status message shows the end once the scene has stopped. */
async function button(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const [, action, sceneId] = interaction.customId.split(":");
  if (action !== STOP) return;
  if (!mayAdminister(interaction, ctx)) return refuse(interaction, notAdmin());
  if (!stopScene(interaction, ctx, sceneId)) return refuse(interaction, SCENE_TEXTS.noScene);
  await interaction.deferUpdate();
}

/**
 * `/scene start|stop`: the cast talks among themselves. Admins only, checked in code on
 * every call and every click of the Stop button (every line is a model call).
 */
export const sceneCommand = commandOf(
  new SlashCommandBuilder()
    .setName(COMMAND)
    .setDescription("Scenes: the cast here talks among themselves (admins)")
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild),
  [start, stop],
  { button },
);
