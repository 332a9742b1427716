package opendoorcrypto

// vocabulary is the raw material of the codename word list, written for
// Parley (not copied from another list): everyday English words, grouped by
// theme only to make duplicates and gaps easy to spot. Words builds the list
// from it deterministically: lower-case a–z words of 3 to 8 letters, each
// kept once, sorted. Editing this text changes the list but never breaks an
// existing codename, because a codename is derived from its words, not from
// their positions (see Derive).
const vocabulary = `
ant ape bass bat bear beaver bee beetle bison bird boar buffalo bull camel
canary carp cat cattle chick chicken clam cobra cod colt cow crab crane
cricket crow cub deer dingo dog dolphin donkey dove dragon duck eagle eel elk
emu falcon ferret finch fish flamingo fly foal fox frog gazelle gecko gerbil
giraffe gnu goat goose gopher gorilla grouse gull hamster hare hawk hedgehog
hen heron herring hippo hornet horse hound ibis iguana impala jackal jaguar
jay kangaroo kitten kiwi koala lamb lark lemming lemur leopard lion lizard
llama lobster locust loon lynx macaw magpie mallard mammoth manatee mantis
marlin marmot meerkat mink mole monkey moose moth mouse mule mussel newt
ocelot octopus okapi orca oriole osprey ostrich otter owl owlet ox oyster
panda panther parrot peacock pelican penguin pheasant pigeon pike piglet
plover pony poodle porpoise possum puffin puma quail rabbit raccoon ram raven
reindeer robin rooster salmon sardine seal shark sheep shrimp skunk sloth
slug snail sparrow spider squid squirrel stag starling stork swallow swan
swift tadpole tapir termite tern thrush tiger toad toucan trout tuna turkey
turtle viper vole walrus wasp weasel whale wolf wombat woodcock worm wren yak
zebra

acorn alder almond aloe apple apricot ash aspen avocado bamboo banana barley
basil bay beech beet berry birch blossom bramble branch bud bulb cabbage
cactus carrot cashew cedar celery cherry chestnut chive clover coconut corn
cotton cress cypress daisy date dill elm fennel fern fig fir flax flower
garlic ginger grape grass guava hazel heather hemlock herb holly hops iris
ivy jasmine juniper kale kelp larch laurel leaf leek lemon lentil lettuce
lilac lily lime linden lotus lupin maize mango maple marigold melon mint moss
mulberry myrtle nettle nutmeg oak oat olive onion orange orchid oregano palm
papaya parsley parsnip pea peach peanut pear pecan peony pepper petal pine
plum poplar poppy potato pumpkin quince radish raisin reed rhubarb rice root
rose rosemary rowan rye saffron sage seed sequoia sesame shrub sorrel soy
spinach spruce squash stem straw sugar sumac sunflower tansy thistle thorn
thyme tomato tulip turnip twig vanilla vine violet walnut wheat willow yam
yarrow yew zinnia

bagel biscuit bread brownie butter cake candy caramel cereal cheese chili
chowder cider cocoa coffee cookie cracker cream crepe crumb cupcake curry
custard dough dumpling fudge granola gravy honey jam jelly juice ketchup
lasagna lemonade licorice muffin mustard noodle nougat oatmeal omelet pancake
pasta pastry pesto pickle pie pizza popcorn porridge pretzel pudding ravioli
relish risotto salad salsa sandwich sauce sausage scone soup spaghetti stew
sushi syrup taco tart tea toast toffee tortilla truffle waffle yogurt

anchor anvil apron arrow awning axle badge bag ball balloon banner barrel
basket beacon beaker bell belt bench bicycle blanket blender bobbin bolt
bonnet book boot bottle bowl box bracelet brick broom brush bucket buckle
button cabinet cable camera candle canoe canvas cap card carpet cart chain
chair chalk chest chisel clock cloak coat collar comb compass cord cork
couch crate crayon crown cup curtain cushion desk dial diary dish drawer
drill drum easel engine envelope eraser fan faucet feather fence fiddle file
flag flask flute fork frame funnel gadget gate glass glove glue goblet gong
guitar hammer hammock harp hat helmet hinge hook horn hose jar jacket jug
kayak kettle key kite ladder ladle lamp lantern latch lens lever locket
magnet mallet map marble mask mat medal mirror mitten mixer mop mug nail
napkin needle net notebook oar organ oven paddle pail paint pan paper pedal
pen pencil piano pillow pin pipe pitcher plate pliers plow pocket pot
puzzle quilt racket radio raft rake ribbon ring robe rocket rope ruler sack
saddle sail sandal saucer saw scale scarf scissors screw shelf shield shovel
sieve skate sled sleeve slipper sofa spade spatula spindle sponge spool
spoon stamp stapler stool stove string suitcase table tablet teapot
telescope tent thimble thread ticket tile torch towel toy tray tripod
trowel trumpet tuba tub umbrella vase vest violin wagon wallet wand watch
wheel whistle wick window wire wrench yoyo zipper

acre alley arch attic avenue balcony bank barn bay beach bridge brook cabin
canal canyon castle cave cellar chapel cliff coast cottage court cove
creek dam delta desert dock dune estate farm field fjord forest fort
fountain garden garage glacier glade glen grove gulf hall harbor hill hut
inlet island jetty jungle lagoon lake lane lawn library lighthouse lodge
loft marsh meadow mesa mill mine moor mountain museum oasis ocean orchard
palace park pasture path pier plain plateau plaza pond pool porch prairie
quarry ranch ravine reef ridge river road school shore spring stable
stadium station street stream summit swamp temple terrace theater tower
town trail tunnel valley village volcano wharf wood yard

amber aqua azure beige black blue bronze brown cobalt copper coral cream
crimson cyan denim ebony emerald gold gray green indigo ivory jade khaki
lavender lemon lilac magenta maroon mauve navy ochre olive peach pearl pink
plum purple red ruby rust salmon sapphire scarlet silver tan teal topaz
turquoise umber white yellow

autumn breeze cloud comet dawn dew drizzle dusk earth eclipse ember flame
fog frost galaxy gale gust hail haze horizon ice lava lightning meteor mist
moon nebula orbit planet pebble puddle rain rainbow river sand shadow sky
sleet snow spark star storm stone sun sunrise sunset thunder tide tornado
twilight wave weather wind winter summer spring season

able active agile alert ample ancient bold brave breezy bright brisk broad
busy calm candid careful casual cheerful civil classic clean clear clever
close cosy cozy crisp curious daring dear deep direct distant eager early
easy elegant even exact fair faithful famous fancy fast fine firm first
fluffy fond free fresh friendly frosty funny gentle giant glad glossy golden
good graceful grand great handy happy hardy hearty heavy helpful honest
humble icy ideal jolly joyful keen kind large late lavish lazy level light
little lively local lofty long loud lovely loyal lucky lunar major mellow
merry mighty mild modern modest narrow neat nimble noble normal novel odd
open plain pleasant polite polished proud quick quiet rapid rare ready real
regal rich robust rosy round royal rural rustic safe sandy secure shiny short
silent silky simple sincere sleek slim slow small smart smooth snowy soft
solar solid sound spare speedy spicy stable steady steep still sturdy
subtle sunny super superb sure sweet swift tall tame tender thick tidy tiny
tough tranquil true trusty vast velvet vivid warm wavy wide wild windy wise
witty woolly young zesty

absorb accept add admire adopt advise agree aim allow amaze amuse answer
appear apply approve argue arrange arrive ask attach attend bake balance
bathe beam begin believe belong bend blink boast boil borrow bounce bow
breathe bring brush build bump buzz calculate call camp care carry carve
catch change charm chase check cheer chew choose clap climb close coach
collect comb command compare compete complete connect cook copy count cover
crawl create cross crush cycle dance dare decide decorate deliver describe
design develop dig discover dive divide doodle drain draw dream dress drift
drink drive drop dust earn edit educate embrace enjoy enter escape examine
exist expand explain explore fetch fill find fix flap flash float flow fold
follow forgive frame gather gaze giggle give glide glow grab grasp greet grin
grow guard guess guide hang happen heal hear help hike hold hop hope hover
hug hum hunt hurry imagine improve include inform invent invite iron join
jog joke juggle jump keep kneel knit knock know laugh launch learn lend lift
like listen live load look love make march mark match measure meet melt mend
mix move nod note notice obey offer open order organize own pack paddle paint
park pass paste pat pause peek perform pick plan plant play please point
polish pour praise prefer prepare present press print promise protect pull
pump push puzzle quack race rain reach read relax remember repair repeat
reply rest return rhyme ride rinse roam roar roll row rule run rush sail
save say scatter search see sell send serve settle sew shake share shine
shiver shop sing sip sit skip sleep slide smile sniff snooze soar sort sow
sparkle speak spell spin splash spot sprout squeeze stack stand stare start
stay steer step stir stitch stretch stroll study sway sweep swim swing talk
tap taste teach tease tell thank think tickle tiptoe toss touch tour trace
trade train travel treat trot trust try tug tumble turn twirl twist type
unite unlock unpack use visit wade wait wake walk wander want wash watch
wave weave weigh welcome whisper win wink wish wonder work worry wrap write
yawn yell zoom

actor admiral artist athlete author baker banker barber bishop builder
butcher captain carpenter cashier champion chef chemist clerk coach cook
cowboy dancer dentist deputy designer detective diver doctor driver editor
engineer explorer farmer firefighter fisher florist gardener guard guide
hero hunter inventor janitor jester judge juggler king knight lawyer leader
librarian lifeguard magician manager mayor mechanic merchant miner monk
musician navigator nurse officer painter pilot pioneer pirate plumber poet
potter prince princess professor queen ranger referee reporter rider sailor
scholar scientist scout sculptor senator shepherd singer soldier surgeon
tailor teacher tourist trainer tutor umpire usher vendor viking visitor
waiter warden weaver wizard writer

account action address advice agenda album alarm anthem answer area army
art atlas bakery ballet band base basin battery beam bedroom birthday blend
board body bonus border bottom brain brand breakfast breath brother budget
buffet bundle business cafe calendar campus canal capital career carnival
cartoon case cash catalog center century chamber channel chapter chart
choice chorus circle circus city class climate club coin college colony
comedy comfort comic concert contest corner costume cotton country couple
course cousin cradle craft credit crew crowd cycle dairy daughter debate
decade degree dentist depot detail diamond dinner diploma direction dollar
domain dozen drama dream effort elbow element energy episode essay evening
event example exhibit factory family fashion father feast festival fiction
figure finger flavor flight floor focus folder format formula fortune forum
friend future gallery game garment gear gift globe goal grade grain grammar
gravity group guest habit hallway harvest health heart height history hobby
holiday honor hotel hour humor idea image inch income index insect jewel
journal journey joy judge kernel kingdom kitchen label lake language laptop
laundry lawn layer lesson letter level liberty license limit line linen list
lobby lunch machine magazine mammal manner margin market matter meal member
memory menu message metal method middle minute model moment money month
morning mother motion motor movie music nation nature needle neighbor nephew
network news niece night noise noon north novel number object office onion
opera option orbit origin outfit owner page palace panel parade parcel parent
party passage patch pattern payment people period person photo picnic piece
pilot pitch planet player pocket poem poetry point portion poster prize
problem program project puppy quarter question quota rabbit radar rally ratio
recipe record region remedy report rhythm riddle river robot rocket rumor
safety salary sample scene schedule science season second secret section
sector series service shape shelter signal silence sister sketch smile
society sofa solution song sound source south space speech speed sport
square stage statue status story strategy student studio style subject
summer supper surface symbol system talent target task teacher team theory
thought thunder timber title today topic total tourism tractor traffic
treasure trend tribe trick trophy truck tune uncle unit universe vacation
valley value version vessel video view virtue vision voice volume voyage
wallet weekend west window winner wonder word world yard year

alpha beta gamma delta epsilon zeta theta iota kappa lambda omega sigma
zero one two three four five six seven eight nine ten eleven twelve twenty
thirty forty fifty hundred thousand million dozen pair triple double single

january february march april may june july august september october
november december monday tuesday wednesday thursday friday saturday sunday

africa alaska andes arctic atlantic baltic canada chile china cuba denmark
egypt europe finland france greece iceland india ireland italy japan kenya
korea mexico morocco nepal norway oregon pacific panama peru poland portugal
sahara spain sweden texas tibet turkey vermont wales yukon

adventure anagram anthem applause arcade backpack ballad bandana banjo
barbecue basket bazaar blueprint bonfire boomerang bouquet bowling brunch
bubble bungalow cadet campfire canopy caravan carousel cartwheel cello
charade checkers chess chime chorus clarinet cobbler confetti cookbook
crossword cymbal dessert dinghy domino doorbell duet dungeon encore fable
fairy fiesta firework flannel folklore fossil freckle frisbee gazebo geyser
glider gnome goblin gondola gumdrop harmonica hopscotch iceberg igloo jigsaw
jukebox kazoo keyboard kimono lagoon lantern lasso limerick lullaby marathon
mascot maze melody minstrel mosaic mural nectar oboe orchestra origami
pajamas parasol pavilion pebble pendulum picnic pinwheel pirate podium
polka postcard potluck puppet pyramid quartet quiz raffle recital regatta
riddle rodeo saxophone scarecrow seesaw serenade shamrock snorkel sombrero
sonnet souvenir spinner stardust sundae surfboard tambourine tandem tapestry
teacup teapot toboggan trampoline treehouse trombone tulip tuxedo ukulele
unicorn vintage voyage waltz whirl wigwam windmill xylophone yodel zeppelin

abbey acrobat almanac amulet anchovy antenna antler aquarium archer armada
atom aurora avalanche axis bagpipe ballroom banquet bard barge baron basalt
bivouac bluebird bobsled bonsai borough boulder boulevard breeze
brigade brook buccaneer bugle bulletin burrow cactus caldera camel cameo
canteen capsule caramel cargo cascade cathedral cavern chalet chariot
chimney chipmunk cinema citadel citrus clipper cobble cocoon comet condor
conduit console cordial corridor cosmos cottage coyote crater crescent
crystal cupola dahlia decoy diesel dinosaur dirigible dolmen drawbridge
dynamo eclair elixir emblem empire enigma equator escort estuary fanfare
ferry fiord flagship flotilla fluke foghorn forge fountain galleon gallop
garnet gazette gemstone glacier goblet granite griffin grotto gypsum
halibut hamlet helix hermit hologram horizon hydrant icicle inkwell
isthmus ivory javelin jetpack jubilee kaleidoscope keel kernel kestrel
keystone kiln knapsack labyrinth lantern lariat lattice legend lilypad
locomotive lodestar lyric magnolia mainsail mandolin mansion marina
marmalade marquee meadow medallion meridian mesquite metronome midnight
minaret minnow mirage moccasin monolith monsoon mosaic mustang nautilus
nomad nugget obelisk observatory odyssey opal orbit outpost paddock
pagoda palette panorama papyrus parchment parsnip passport pelican pennant
periscope pewter phoenix pilgrim pinnacle piston plateau plaza porcelain
prism propeller pueblo quarry quartz quiver radiant rampart rapids rattan
ravine redwood relic riverbank rotunda rudder saga sapling satchel savanna
schooner scroll sentinel sextant shuttle signpost skylark skyline sleigh
snowflake solstice sonar spire sprocket stallion steeple sternum
stirrup sundial talisman tangerine tavern telegram thicket timpani tinsel
topiary totem trellis trident tundra turbine turret tycoon vanguard velvet
veranda vertex viaduct vineyard voyager walkway warbler waterfall weathervane
wigeon wildflower windsock wisteria woodland wren yacht zenith zephyr

agate alcove apex arbor armchair aroma avenue banister barrow basin bayou
beacon bedrock bellows billow bistro bluff bobcat bracket brazier brocade
buttress cairn cameo candor canister caper carafe causeway chaise chamois
cheddar chestnut cinder clarion clover cobalt coffer cogwheel compass conch
corsage crag crocus croquet crumpet cuckoo damask dapple delft
dewdrop dormouse dovetail dragonfly driftwood dulcimer eiderdown embers
ermine fable falconer farthing fathom fiddler filbert firefly flagpole
flicker flotsam foxglove frigate gable galley gannet garland
gauntlet gherkin gingham glimmer gorse gosling gravel greenery griddle
gristmill gull gumbo hatchet hawthorn heirloom hemp heron hillside hollow
honeybee hyacinth inkpot jackdaw jasper jonquil juniper kindling kingfisher
kipper lacewing lamplight landmark larkspur lavender ledger lichen linnet
lockbox lodestone loom lynx mackerel mangrove marigold marten mayfly meadowlark
millpond millstone mistletoe moorland mooring moth muffin mulch nettle
nightjar nutshell oakwood orchid osier otter oxbow paddle pantry partridge
pebble peppermint periwinkle pickerel pinecone pippin plover plume poplar
primrose puffin quail quill rampart rosebud rosehip ruddy rushes saffron
sandbar sandpiper seashell seaweed sedge shingle shoal silt skiff snapdragon
snowdrop sorrel spindle starfish stoat sunbeam swallow sycamore tamarind
teasel thatch thimble thrush tinker toadstool topsoil tortoise towpath
trillium tugboat tumbleweed tussock upland vetch wagtail walnut waterlily
wayside wheatear whinchat wicker willow wintergreen woodpile yarrow
`
