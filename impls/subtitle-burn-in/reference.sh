#!/bin/sh
# Reference row: the ffmpeg CLI doing a comparable job — libass renders the subtitles (its own
# font, layout and styling, so the pixels differ from the spec's), x264 with the same settings
# as the implementations (ultrafast, qp 0, keyint 60, one thread), audio copied, MP4 out. The
# style asks libass for the same look: yellow text on a translucent black box.
# usage: reference.sh INPUT SUBTITLES OUTPUT.mp4
set -eu
exec ffmpeg -nostdin -hide_banner -loglevel error -threads 1 -filter_threads 1 -i "$1" \
  -map 0:v:0 -map '0:a:0?' \
  -vf "subtitles=filename=$2:force_style='PrimaryColour=&H0000FFFF,BorderStyle=3,OutlineColour=&H60000000,Outline=1,Shadow=0'" \
  -c:v libx264 -preset ultrafast -qp 0 -g 60 -threads 1 -c:a copy -f mp4 -y "$3"
